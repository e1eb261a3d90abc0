package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"
	"github.com/go-playground/validator/v10"

	"github.com/studytool/studytool/domain"
)

// errTrailingData reports content after the request's JSON value.
var errTrailingData = errors.New("unexpected data after the JSON value")

// errNotJSON reports a request body whose Content-Type is not JSON.
var errNotJSON = errors.New("the request body must be sent as application/json")

// bodyError marks an error as coming from decoding the request body, so that ambiguous
// causes such as io.EOF map to 400 only here and never when a store connection drops.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "decode request body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// BindJSON decodes the request body into dst, a pointer, and runs its `binding` tag rules.
// It is strict so that client mistakes surface instead of being silently ignored:
// unknown fields are rejected (422, naming the field), as is anything after the JSON
// value (400). A 422 names every bad field at once, not only the first one the decoder
// met. Every error it returns is understood by WriteError: a body that is not
// declared as JSON 415 unsupported_media_type, empty or malformed bodies 400
// malformed_json, oversized bodies 413 payload_too_large, wrong types, out-of-range
// numbers and failed rules 422 validation_failed.
func BindJSON(c *gin.Context, dst any) error {
	contentType := c.GetHeader("Content-Type")
	if c.Request.Body == nil || c.Request.Body == http.NoBody || contentType == "" && c.Request.ContentLength == 0 {
		return &bodyError{io.EOF} // no body at all: the required one is missing
	}
	if !isJSON(contentType) {
		return errNotJSON
	}
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return &bodyError{err}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if isFieldError(err) {
			return everyFieldError(raw, dst)
		}
		return &bodyError{err}
	}
	switch _, err := dec.Token(); {
	case err == nil:
		return &bodyError{errTrailingData}
	case !errors.Is(err, io.EOF):
		return &bodyError{err}
	}
	if err := binding.Validator.ValidateStruct(dst); err != nil {
		return fmt.Errorf("validate request body: %w", err)
	}
	return nil
}

// BindPatch is BindJSON for a PATCH body, whose fields the caller changes when they are
// sent (pointer fields left nil are kept): a field sent as null, which would read as not
// sent, is refused (422, every such field named, together with what BindJSON finds wrong
// with the other fields) rather than silently ignored.
func BindPatch(c *gin.Context, dst any) error {
	if c.Request.Body == nil || c.Request.Body == http.NoBody || !isJSON(c.GetHeader("Content-Type")) {
		return BindJSON(c, dst) // the same refusals
	}
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return &bodyError{err}
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(raw))
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) == nil {
		var nulls []error
		for _, name := range slices.Sorted(maps.Keys(fields)) {
			if string(fields[name]) == "null" {
				nulls = append(nulls, domain.NewValidationError(name, "must not be null: leave the field out to keep its value"))
				delete(fields, name)
			}
		}
		if len(nulls) > 0 {
			return errors.Join(append(nulls, bindRest(c, fields, dst))...)
		}
	}
	return BindJSON(c, dst)
}

// bindRest binds the fields of a PATCH body that are not null, for the errors they
// carry; a body whose only bad fields are null binds without error.
func bindRest(c *gin.Context, fields map[string]json.RawMessage, dst any) error {
	rest, err := json.Marshal(fields)
	if err != nil {
		return &bodyError{err}
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(rest))
	return BindJSON(c, dst)
}

// isJSON reports whether a Content-Type names JSON: application/json or a structured
// `+json` type, with any parameters (charset=utf-8).
func isJSON(contentType string) bool {
	media, _, err := mime.ParseMediaType(contentType)
	return err == nil && (media == "application/json" || strings.HasPrefix(media, "application/") && strings.HasSuffix(media, "+json"))
}

// bodyProblem maps the errors of BindJSON. JSON errors count only when they come from
// decoding the request body (a bodyError): the same error from stored data is the
// server's fault, never the client's.
func bodyProblem(err error) (response, bool) {
	var tooLarge *http.MaxBytesError
	var rules validator.ValidationErrors
	var body *bodyError
	var media *mediaTypeError
	switch {
	case errors.Is(err, errNotJSON):
		return newResponse(kindUnsupportedMedia, "The request body must be JSON: send Content-Type: application/json."), true
	case errors.As(err, &media):
		return newResponse(kindUnsupportedMedia, "The request body must be sent as Content-Type: "+media.want+"."), true
	case errors.As(err, &tooLarge):
		return newResponse(kindPayloadTooLarge,
			fmt.Sprintf("The request body exceeds the limit of %d bytes.", tooLarge.Limit)), true
	case errors.As(err, &rules):
		return rulesResponse(rules), true
	case !errors.As(err, &body):
		return response{}, false
	}
	return decodeProblem(body.err)
}

// decodeProblem maps an error of decoding the request body.
func decodeProblem(err error) (response, bool) {
	var syntax *json.SyntaxError
	var mismatch *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return newResponse(kindMalformedJSON, "The request body is empty."), true
	case errors.As(err, &syntax):
		return newResponse(kindMalformedJSON,
			fmt.Sprintf("The request body is not valid JSON (error at byte %d).", syntax.Offset)), true
	case errors.As(err, &mismatch):
		return mismatchResponse(mismatch), true
	}
	if name, ok := unknownField(err); ok {
		return validationResponse(FieldError{Field: name, Reason: "is not a known field"}), true
	}
	return newResponse(kindMalformedJSON, "The request body is not valid JSON."), true
}

// unknownField extracts the name from encoding/json's untyped unknown-field error.
func unknownField(err error) (string, bool) {
	quoted, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return "", false
	}
	name, uerr := strconv.Unquote(quoted)
	return name, uerr == nil
}

func mismatchResponse(e *json.UnmarshalTypeError) response {
	if e.Field == "" {
		return validationResponse(FieldError{Reason: "The request body must be " + jsonKind(derefType(e.Type)) + "."})
	}
	return validationResponse(mismatchField(e, ""))
}

// mismatchField names the field of a type mismatch, below prefix when the value was
// decoded on its own, and says what it must be.
func mismatchField(e *json.UnmarshalTypeError, prefix string) FieldError {
	t := derefType(e.Type)
	reason := "must be " + jsonKind(t)
	if number, ok := strings.CutPrefix(e.Value, "number "); ok && isNumeric(t.Kind()) {
		reason = numberReason(number, t.Kind())
	}
	field := e.Field
	switch {
	case prefix != "" && field != "":
		field = prefix + "." + field
	case prefix != "":
		field = prefix
	}
	return FieldError{Field: field, Reason: reason}
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// isFieldError reports whether decoding failed on a field (an unknown one, or a value of
// the wrong type) rather than on the body as a whole.
func isFieldError(err error) bool {
	var mismatch *json.UnmarshalTypeError
	if errors.As(err, &mismatch) {
		return mismatch.Field != ""
	}
	_, unknown := unknownField(err)
	return unknown
}

// everyFieldError decodes an object body into the struct dst points to field by field,
// after the decoder stopped at its first bad field, and lists every unknown field, every
// value of the wrong type and every broken `binding` rule of the other fields.
func everyFieldError(raw []byte, dst any) error {
	var fields map[string]json.RawMessage
	v := reflect.ValueOf(dst).Elem()
	if json.Unmarshal(raw, &fields) != nil || v.Kind() != reflect.Struct {
		return &bodyError{json.Unmarshal(raw, dst)}
	}
	v.SetZero()
	names := jsonFieldIndexes(v.Type())
	var bad []FieldError
	named := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		i, known := fieldIndex(names, name)
		if !known {
			bad = append(bad, FieldError{Field: name, Reason: "is not a known field"})
			continue
		}
		if fe, ok := decodeField(fields[name], v.Field(i).Addr().Interface(), name); ok {
			bad = append(bad, fe)
			named[name] = true
		}
	}
	var rules validator.ValidationErrors
	if errors.As(binding.Validator.ValidateStruct(dst), &rules) {
		for _, fe := range rulesResponse(rules).Errors {
			top, _, _ := strings.Cut(fe.Field, ".")
			if !named[top] {
				bad = append(bad, fe)
			}
		}
	}
	errs := make([]error, len(bad))
	for i, fe := range bad {
		errs[i] = domain.NewValidationError(fe.Field, fe.Reason)
	}
	return errors.Join(errs...)
}

// decodeField decodes the value of the field called name into dst, strictly, and
// names what is wrong with it, if anything.
func decodeField(raw json.RawMessage, dst any, name string) (FieldError, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		return FieldError{}, false
	}
	var mismatch *json.UnmarshalTypeError
	if errors.As(err, &mismatch) {
		return mismatchField(mismatch, name), true
	}
	inner, ok := unknownField(err)
	return FieldError{Field: inner, Reason: "is not a known field"}, ok
}

// fieldIndex finds the field a JSON key decodes into: its exact name, or else one
// equal under case folding, as encoding/json matches keys.
func fieldIndex(names map[string]int, key string) (int, bool) {
	if i, ok := names[key]; ok {
		return i, true
	}
	for name, i := range names {
		if strings.EqualFold(name, key) {
			return i, true
		}
	}
	return 0, false
}

// jsonFieldIndexes maps the JSON names of t's exported fields to their indexes.
func jsonFieldIndexes(t reflect.Type) map[string]int {
	out := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case !f.IsExported() || name == "-":
		case name == "":
			out[f.Name] = i
		default:
			out[name] = i
		}
	}
	return out
}

// numberReason explains why the JSON number literal did not fit a Go number of kind k.
func numberReason(literal string, k reflect.Kind) string {
	_, err := strconv.ParseFloat(literal, 64)
	if isInteger(k) && err == nil && strings.ContainsAny(literal, ".eE") {
		return "must be an integer"
	}
	return "is out of range"
}

func jsonKind(t reflect.Type) string {
	switch k := t.Kind(); {
	case k == reflect.String:
		return "a string"
	case k == reflect.Bool:
		return "a boolean"
	case isInteger(k):
		return "an integer"
	case isNumeric(k):
		return "a number"
	case k == reflect.Slice || k == reflect.Array:
		return "an array"
	case k == reflect.Struct || k == reflect.Map:
		return "an object"
	default:
		return "a different JSON type"
	}
}

func isInteger(k reflect.Kind) bool {
	return reflect.Int <= k && k <= reflect.Uintptr
}

func isNumeric(k reflect.Kind) bool {
	return isInteger(k) || k == reflect.Float32 || k == reflect.Float64
}

func rulesResponse(rules validator.ValidationErrors) response {
	fields := make([]FieldError, 0, len(rules))
	for _, fe := range rules {
		// The namespace starts with the Go type name of the bound struct; drop it.
		_, path, _ := strings.Cut(fe.Namespace(), ".")
		fields = append(fields, FieldError{Field: path, Reason: ruleReason(fe)})
	}
	return validationResponse(fields...)
}

func ruleReason(fe validator.FieldError) string {
	switch {
	case fe.Tag() == "required":
		return "is required"
	case fe.Tag() == "oneof":
		return "must be one of: " + fe.Param()
	case fe.Param() != "":
		return fmt.Sprintf("must satisfy %s=%s", fe.Tag(), fe.Param())
	default:
		return "must satisfy " + fe.Tag()
	}
}

// registerJSONFieldNames makes Gin's validator report fields by their JSON names, so
// `binding` rule failures name fields as clients send them.
func registerJSONFieldNames() {
	v, ok := binding.Validator.Engine().(*validator.Validate)
	if !ok {
		return
	}
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			return f.Name
		}
		return name
	})
}
