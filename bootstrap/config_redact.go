package bootstrap

import (
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strings"
)

// mask replaces a secret, as url.URL.Redacted does a URL's password.
const mask = "xxxxx"

// variable describes one configuration variable, as the tags of its Config field say.
type variable struct {
	key     string
	accepts string
	// redact is "secret" (mask the whole value), "url" (mask the URL's password) or "".
	redact string
	// index locates the field in Config (reflect.Value.FieldByIndex).
	index []int
}

// variables lists every variable in Config's field order; variablesByKey indexes it.
var variables, variablesByKey = describeVariables()

func describeVariables() ([]variable, map[string]variable) {
	var list []variable
	byKey := make(map[string]variable)
	config := reflect.TypeFor[Config]()
	for i := range config.NumField() {
		group := config.Field(i).Type
		for j := range group.NumField() {
			field := group.Field(j)
			v := variable{
				key:     envKey(field),
				accepts: field.Tag.Get("accepts"),
				redact:  field.Tag.Get("redact"),
				index:   []int{i, j},
			}
			list = append(list, v)
			byKey[v.key] = v
		}
	}
	return list, byKey
}

// envKey returns the variable name of a field's env tag, without its options.
func envKey(field reflect.StructField) string {
	key, _, _ := strings.Cut(field.Tag.Get("env"), ",")
	return key
}

// Redacted returns every variable's effective value, keyed by variable name, with
// REDIS_PASSWORD masked and the passwords inside URLs masked. It is safe to log.
func (c Config) Redacted() map[string]string {
	out := make(map[string]string, len(variables))
	value := reflect.ValueOf(c)
	for _, v := range variables {
		out[v.key] = redact(v.redact, format(value.FieldByIndex(v.index)))
	}
	return out
}

// String returns the redacted configuration as `KEY="value"` pairs in name order.
func (c Config) String() string {
	vars := c.Redacted()
	pairs := make([]string, 0, len(vars))
	for _, key := range slices.Sorted(maps.Keys(vars)) {
		pairs = append(pairs, fmt.Sprintf("%s=%q", key, vars[key]))
	}
	return strings.Join(pairs, " ")
}

// LogValue makes slog log the redacted configuration, one attribute per variable.
func (c Config) LogValue() slog.Value {
	vars := c.Redacted()
	attrs := make([]slog.Attr, 0, len(vars))
	for _, key := range slices.Sorted(maps.Keys(vars)) {
		attrs = append(attrs, slog.String(key, vars[key]))
	}
	return slog.GroupValue(attrs...)
}

// format renders a field's value as a variable would spell it.
func format(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case []string:
		return strings.Join(x, ",")
	case slog.Level:
		return strings.ToLower(x.String())
	default:
		return fmt.Sprint(x)
	}
}

// redact masks value according to a field's redact tag.
func redact(kind, value string) string {
	if value == "" {
		return ""
	}
	switch kind {
	case "secret":
		return mask
	case "url":
		return redactURL(value)
	default:
		return value
	}
}

// redactURL masks the password of a URL's user info and of any query parameter whose
// name mentions a password; a URL that does not parse is masked whole.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return mask
	}
	query := u.Query()
	masked := false
	for name := range query {
		if strings.Contains(strings.ToLower(name), "password") {
			query.Set(name, mask)
			masked = true
		}
	}
	if masked {
		u.RawQuery = query.Encode()
	}
	return u.Redacted()
}

// VariableHelp is one configuration variable as the command line's help lists it.
type VariableHelp struct {
	// Name is the variable; Accepts says what values it takes.
	Name, Accepts string
	// Defaults are its default values: one, or one per environment where they differ
	// ("development: 1h, production: 2h, test: 5m"); empty when it has none.
	Defaults string
}

// Variables lists every configuration variable in Config's order, with its defaults and
// what it accepts: the configuration's own description of itself.
func Variables() []VariableHelp {
	config := reflect.TypeFor[Config]()
	out := make([]VariableHelp, len(variables))
	for i, v := range variables {
		field := config.FieldByIndex(v.index)
		out[i] = VariableHelp{Name: v.key, Accepts: v.accepts, Defaults: defaultsOf(v.key, field.Tag.Get("envDefault"))}
	}
	return out
}

// defaultsOf renders key's defaults: per environment when they differ, else fixed.
func defaultsOf(key, fixed string) string {
	var perEnv []string
	for _, env := range []Environment{EnvDevelopment, EnvProduction, EnvTest} {
		if d, ok := environmentDefaults[env][key]; ok {
			perEnv = append(perEnv, string(env)+": "+d)
		}
	}
	if len(perEnv) > 0 {
		return strings.Join(perEnv, ", ")
	}
	return fixed
}
