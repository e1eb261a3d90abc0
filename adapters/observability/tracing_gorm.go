package observability

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
)

// gormTracerName names the tracer of the GORM spans.
const gormTracerName = "github.com/studytool/studytool/adapters/observability/gorm"

// gormTracing is a GORM plugin that wraps each statement in a span. It stands in for
// gorm.io/plugin/opentelemetry, whose tracing package links the MySQL and ClickHouse
// drivers (about 9 MB) into a binary that talks to neither, to tell database systems
// apart.
type gormTracing struct {
	tracer trace.Tracer
}

// gormParentKey keys, in a statement's settings, the caller's context while the
// statement's span is open, so the after callback can restore it.
type gormParentKey struct{}

// Name implements gorm.Plugin.
func (gormTracing) Name() string { return "studytool:tracing" }

// Initialize implements gorm.Plugin: it registers a before and an after callback around
// every kind of statement.
func (p gormTracing) Initialize(db *gorm.DB) error {
	cb := db.Callback()
	type registerer interface {
		Register(name string, fn func(*gorm.DB)) error
	}
	hooks := []struct {
		before, after registerer
		operation     string
	}{
		{cb.Create().Before("gorm:create"), cb.Create().After("gorm:create"), "create"},
		{cb.Query().Before("gorm:query"), cb.Query().After("gorm:query"), "query"},
		{cb.Update().Before("gorm:update"), cb.Update().After("gorm:update"), "update"},
		{cb.Delete().Before("gorm:delete"), cb.Delete().After("gorm:delete"), "delete"},
		{cb.Row().Before("gorm:row"), cb.Row().After("gorm:row"), "row"},
		{cb.Raw().Before("gorm:raw"), cb.Raw().After("gorm:raw"), "raw"},
	}
	for _, h := range hooks {
		if err := h.before.Register("studytool:tracing:before_"+h.operation, p.before("gorm."+h.operation)); err != nil {
			return fmt.Errorf("tracing: gorm: %w", err)
		}
		if err := h.after.Register("studytool:tracing:after_"+h.operation, p.after); err != nil {
			return fmt.Errorf("tracing: gorm: %w", err)
		}
	}
	return nil
}

// before starts a span named name as a child of the statement's context.
func (p gormTracing) before(name string) func(*gorm.DB) {
	return func(tx *gorm.DB) {
		parent := tx.Statement.Context
		if parent == nil {
			return
		}
		ctx, _ := p.tracer.Start(parent, name, trace.WithSpanKind(trace.SpanKindClient))
		tx.Statement.Settings.Store(gormParentKey{}, parent)
		tx.Statement.Context = ctx
	}
}

// after describes the statement on the span, ends it and restores the caller's context.
// The SQL text is recorded with its placeholders, never its parameter values.
func (gormTracing) after(tx *gorm.DB) {
	parent, ok := tx.Statement.Settings.LoadAndDelete(gormParentKey{})
	if !ok {
		return
	}
	span := trace.SpanFromContext(tx.Statement.Context)
	defer span.End()
	if ctx, ok := parent.(context.Context); ok {
		tx.Statement.Context = ctx
	}
	query := tx.Statement.SQL.String()
	operation, _, _ := strings.Cut(strings.TrimSpace(query), " ")
	operation = strings.ToUpper(operation)
	attrs := []attribute.KeyValue{semconv.DBQueryText(query), semconv.DBOperationName(operation)}
	if system := gormSystem(tx); system.Valid() {
		attrs = append(attrs, system)
	}
	if table := tx.Statement.Table; table != "" {
		attrs = append(attrs, semconv.DBCollectionName(table))
		span.SetName(operation + " " + table)
	}
	span.SetAttributes(attrs...)
	if err := tx.Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		span.RecordError(err)
		span.SetStatus(codes.Error, "database statement failed")
	}
}

// gormSystem names the database system of tx by its dialector.
func gormSystem(tx *gorm.DB) attribute.KeyValue {
	switch tx.Name() {
	case "postgres":
		return semconv.DBSystemNamePostgreSQL
	case "sqlite":
		return semconv.DBSystemNameSQLite
	}
	return attribute.KeyValue{}
}
