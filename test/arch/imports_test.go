// Package arch_test keeps the dependency direction of docs/architecture.md ("Layers":
// dependencies point inward) without relying on a linter: it lists every package of the module with
// `go list` and checks each non-test import against the rule of the package's layer.
// golangci-lint's depguard configuration (.golangci.yml) states the same rules.
package arch_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/studytool/studytool"

// root stands for the module's root package (repository assets such as openapi.yaml)
// in a rule's allow list.
const root = "."

// rule is what the non-test code of one layer may import. A layer is a module-relative
// package path and covers its subpackages; the most specific layer applies.
type rule struct {
	layer string
	// allow lists the module-relative layers (or root) the code may import.
	allow []string
	// stdOnly forbids every import from outside the module except the standard library.
	stdOnly bool
	// forbid lists import-path prefixes the layer must not use even though it may
	// otherwise import third-party code.
	forbid []string
	// ownAdapter also allows the package's own adapter (adapters/<name> and below):
	// an adapter never imports a sibling adapter, only adapters/shared.
	ownAdapter bool
}

// infrastructure is what use-cases never see: transports, drivers and storage clients.
var infrastructure = []string{
	"net/http", "database/sql",
	"github.com/redis/", "github.com/go-redis/", "github.com/alicebob/miniredis",
	"gorm.io/", "github.com/jackc/", "modernc.org/", "github.com/mattn/go-sqlite3",
	"github.com/golang-migrate/", "github.com/gin-gonic/", "github.com/prometheus/",
}

var rules = []rule{
	{layer: "domain", allow: []string{"domain"}, stdOnly: true},
	{layer: "ports", allow: []string{"domain", "ports"}, stdOnly: true},
	{layer: "application", allow: []string{"domain", "ports", "application"}, forbid: infrastructure},
	{layer: "adapters", allow: []string{"domain", "ports", "adapters/shared"}, ownAdapter: true},
	{layer: "adapters/shared", allow: []string{"domain", "ports", "adapters/shared"}},
	{layer: "adapters/httpapi", allow: []string{root, "domain", "ports", "application", "adapters/shared"}, ownAdapter: true},
	{layer: "bootstrap", allow: []string{root, "domain", "ports", "application", "adapters", "bootstrap"}},
	{layer: "cmd", allow: []string{root, "domain", "ports", "application", "adapters", "bootstrap", "cmd"}},
	// The binary talks to bootstrap (and prints the use-cases' results); benchmarks in
	// cmd/ may reach adapters directly.
	{layer: "cmd/studytool", allow: []string{"domain", "application", "bootstrap"}},
	{layer: "mocks", allow: []string{"domain", "ports"}},
}

// within reports whether the module-relative path rel is layer or lies below it.
func within(rel, layer string) bool {
	if layer == root {
		return rel == root
	}
	return rel == layer || strings.HasPrefix(rel, layer+"/")
}

// relative returns the module-relative form of an import path, or false when the path
// is outside the module.
func relative(importPath string) (string, bool) {
	if importPath == module {
		return root, true
	}
	rel, ok := strings.CutPrefix(importPath, module+"/")
	return rel, ok
}

// ruleFor returns the most specific rule covering the module-relative package path rel.
func ruleFor(rel string) (rule, bool) {
	var best rule
	found := false
	for _, r := range rules {
		if within(rel, r.layer) && (!found || len(r.layer) > len(best.layer)) {
			best, found = r, true
		}
	}
	return best, found
}

// isStandard reports whether an import path belongs to the standard library, whose
// first path element never contains a dot.
func isStandard(importPath string) bool {
	first, _, _ := strings.Cut(importPath, "/")
	return !strings.Contains(first, ".")
}

// violations returns the imports of package pkg (a full import path) that its layer's
// rule forbids, each with the reason.
func violations(pkg string, imports []string) []string {
	rel, ok := relative(pkg)
	if !ok {
		return nil
	}
	r, ok := ruleFor(rel)
	if !ok {
		return nil
	}
	if r.ownAdapter {
		r.allow = append(slices.Clone(r.allow), adapterOf(rel))
	}
	var out []string
	for _, imp := range imports {
		if reason := check(r, imp); reason != "" {
			out = append(out, fmt.Sprintf("%s imports %s: %s", pkg, imp, reason))
		}
	}
	return out
}

// adapterOf returns the adapter a module-relative package path belongs to
// (adapters/<name>).
func adapterOf(rel string) string {
	parts := strings.SplitN(rel, "/", 3)
	return strings.Join(parts[:min(2, len(parts))], "/")
}

// check returns why rule r forbids importing imp, or "" when it is allowed.
func check(r rule, imp string) string {
	if rel, internal := relative(imp); internal {
		if slices.ContainsFunc(r.allow, func(layer string) bool { return within(rel, layer) }) {
			return ""
		}
		return fmt.Sprintf("layer %q may import only %v from the module", r.layer, r.allow)
	}
	if r.stdOnly && !isStandard(imp) {
		return fmt.Sprintf("layer %q may import only the standard library and %v", r.layer, r.allow)
	}
	for _, prefix := range r.forbid {
		if strings.HasPrefix(imp, prefix) {
			return fmt.Sprintf("layer %q must not depend on infrastructure (%s)", r.layer, prefix)
		}
	}
	return ""
}

// listedPackage is the part of `go list -json` output the test reads.
type listedPackage struct {
	ImportPath string
	Imports    []string
}

// listModule returns every package of the module with its non-test imports.
func listModule(t *testing.T) []listedPackage {
	t.Helper()
	// -e lists packages that do not compile too; their compile errors are reported by
	// the build, not here.
	cmd := exec.CommandContext(t.Context(), "go", "list", "-e", "-json=ImportPath,Imports", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func TestModuleImportsPointInward(t *testing.T) {
	t.Parallel()
	pkgs := listModule(t)

	// Guard against passing vacuously (a wrong pattern or module path lists nothing).
	seen := map[string]bool{}
	for _, p := range pkgs {
		if rel, ok := relative(p.ImportPath); ok {
			if r, ok := ruleFor(rel); ok {
				seen[r.layer] = true
			}
		}
	}
	for _, layer := range []string{"domain", "ports", "application", "adapters"} {
		if !seen[layer] {
			t.Errorf("no package of layer %q was listed; the import check would be vacuous", layer)
		}
	}

	for _, p := range pkgs {
		for _, v := range violations(p.ImportPath, p.Imports) {
			t.Error(v)
		}
	}
}

func TestRulesRejectOutwardImports(t *testing.T) {
	t.Parallel()
	m := func(rel string) string { return module + "/" + rel }
	tests := []struct {
		name    string
		pkg     string
		imports []string
		want    int
	}{
		{"domain uses the standard library", m("domain"), []string{"time", "errors", "net/mail"}, 0},
		{"domain subpackage uses domain", m("domain/sm2"), []string{m("domain")}, 0},
		{"domain imports a third-party module", m("domain"), []string{"github.com/google/uuid"}, 1},
		{"domain imports ports", m("domain"), []string{m("ports")}, 1},
		{"ports imports domain", m("ports"), []string{"context", m("domain")}, 0},
		{"ports imports redis", m("ports"), []string{"github.com/redis/go-redis/v9"}, 1},
		{"ports imports application", m("ports"), []string{m("application")}, 1},
		{"application imports ports and x/sync", m("application/auth"), []string{m("ports"), m("domain"), "golang.org/x/sync/singleflight"}, 0},
		{"application imports gorm", m("application/auth"), []string{"gorm.io/gorm"}, 1},
		{"application imports net/http", m("application"), []string{"net/http"}, 1},
		{"application imports an adapter", m("application/study"), []string{m("adapters/redisstore")}, 1},
		{"application imports bootstrap and mocks", m("application"), []string{m("bootstrap"), m("mocks")}, 2},
		{"adapter imports ports, shared code and its driver", m("adapters/redisstore"), []string{m("ports"), m("adapters/shared/keyspace"), "github.com/redis/go-redis/v9"}, 0},
		{"adapter imports its own subpackage", m("adapters/httpapi"), []string{m("adapters/httpapi/docs")}, 0},
		{"adapter imports another adapter", m("adapters/memory"), []string{m("adapters/redisstore")}, 1},
		{"adapter subpackage imports another adapter", m("adapters/redisstore/lua"), []string{m("adapters/memory")}, 1},
		{"http adapter imports a driven adapter", m("adapters/httpapi"), []string{m("adapters/gormdb")}, 1},
		{"shared code imports an adapter", m("adapters/shared/keyspace"), []string{m("adapters/redisstore")}, 1},
		{"adapter imports application", m("adapters/gormdb"), []string{m("application/auth")}, 1},
		{"adapter imports test helpers", m("adapters/memory"), []string{m("test/testenv")}, 1},
		{"http adapter imports application and assets", m("adapters/httpapi"), []string{m("application/auth"), module}, 0},
		{"http adapter imports bootstrap", m("adapters/httpapi"), []string{m("bootstrap")}, 1},
		{"bootstrap imports every layer", m("bootstrap"), []string{m("adapters/redisstore"), m("application/auth"), m("ports"), module}, 0},
		{"bootstrap imports cmd", m("bootstrap"), []string{m("cmd/studytool")}, 1},
		{"cmd imports mocks", m("cmd/studytool"), []string{m("mocks")}, 1},
		{"the binary imports an adapter", m("cmd/studytool"), []string{m("adapters/gormdb")}, 1},
		{"the binary imports bootstrap and a use-case", m("cmd/studytool"), []string{m("bootstrap"), m("application/progress")}, 0},
		{"a benchmark command imports an adapter", m("cmd/cachebench"), []string{m("adapters/redisstore")}, 0},
		{"mocks import ports", m("mocks"), []string{m("ports"), "github.com/stretchr/testify/mock"}, 0},
		{"test helpers are unconstrained", m("test/contract"), []string{m("adapters/redisstore"), m("mocks")}, 0},
		{"a package outside the module is ignored", "example.com/other/domain", []string{"gorm.io/gorm"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := violations(tt.pkg, tt.imports)
			if len(got) != tt.want {
				t.Errorf("violations(%s, %v) = %d %q, want %d", tt.pkg, tt.imports, len(got), got, tt.want)
			}
		})
	}
}
