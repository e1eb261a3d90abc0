package bootstrap

import (
	_ "embed" // the configuration source and the document's preamble are embedded
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// configSource is this package's config.go: the doc comments of Config's fields are the
// descriptions of docs/configuration.md.
//
//go:embed config.go
var configSource string

// configDocPreamble is the hand-written part of docs/configuration.md, above the
// generated tables.
//
//go:embed config_doc_preamble.md
var configDocPreamble string

// groupTitles are the section titles of Config's groups, by field name.
var groupTitles = map[string]string{
	"App": "Application", "HTTP": "HTTP", "Database": "Database", "Redis": "Redis",
	"Session": "Sessions", "Cache": "Cache", "Auth": "Authentication and login",
	"Observability": "Logs and traces",
}

// ConfigurationDoc returns docs/configuration.md: the preamble, then the per-environment
// defaults and one table per group of Config, each variable with its defaults, what it
// accepts and its field's doc comment. `studytool config docs` prints it; a test checks
// the committed file is current.
func ConfigurationDoc() (string, error) {
	comments, err := fieldComments(configSource)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(configDocPreamble)
	writeEnvironmentDefaults(&b)
	b.WriteString("\n## Variables\n")
	config := reflect.TypeFor[Config]()
	for i := range config.NumField() {
		writeGroup(&b, config.Field(i), i, comments)
	}
	return b.String(), nil
}

// writeEnvironmentDefaults writes the table of the defaults that differ per environment.
func writeEnvironmentDefaults(b *strings.Builder) {
	b.WriteString("\n## Per-environment defaults\n\n")
	b.WriteString("| variable | development | production | test |\n|---|---|---|---|\n")
	for _, v := range variables {
		if _, ok := environmentDefaults[EnvDevelopment][v.key]; !ok {
			continue
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", v.key, code(environmentDefaults[EnvDevelopment][v.key]),
			code(environmentDefaults[EnvProduction][v.key]), code(environmentDefaults[EnvTest][v.key]))
	}
}

// writeGroup writes the section of the group field, the i-th of Config.
func writeGroup(b *strings.Builder, group reflect.StructField, i int, comments map[string]string) {
	fmt.Fprintf(b, "\n### %s\n\n", groupTitles[group.Name])
	b.WriteString("| variable | default | accepts | description |\n|---|---|---|---|\n")
	for _, v := range variables {
		if v.index[0] != i {
			continue
		}
		field := group.Type.Field(v.index[1])
		fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", v.key, docDefault(v.key, field.Tag.Get("envDefault")),
			cell(v.accepts), cell(describe(field.Name, comments[group.Type.Name()+"."+field.Name])))
	}
}

// docDefault renders key's default for its table.
func docDefault(key, fixed string) string {
	switch {
	case environmentDefaults[EnvDevelopment][key] != "":
		return "per environment"
	case fixed == "":
		return "empty"
	case strings.HasPrefix(fixed, "${"):
		return "as `" + strings.Trim(fixed, "${}") + "`"
	default:
		return code(fixed)
	}
}

// describe turns a field's doc comment into a description: "Addr is the listen
// address." becomes "The listen address.".
func describe(field, comment string) string {
	rest, ok := strings.CutPrefix(comment, field+" ")
	if !ok {
		return comment
	}
	for _, verb := range []string{"is ", "are "} {
		rest = strings.TrimPrefix(rest, verb)
	}
	first, size := utf8.DecodeRuneInString(rest)
	return string(unicode.ToUpper(first)) + rest[size:]
}

// code renders a value as inline code, or "empty".
func code(s string) string {
	if s == "" {
		return "empty"
	}
	return "`" + s + "`"
}

// cell escapes text for a table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// fieldComments reads the doc comments of the fields of src's struct types, keyed by
// "Type.Field", each joined into one line.
func fieldComments(src string) (map[string]string, error) {
	file, err := parser.ParseFile(token.NewFileSet(), "config.go", src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("config doc: %w", err)
	}
	out := make(map[string]string)
	ast.Inspect(file, func(n ast.Node) bool {
		decl, ok := n.(*ast.GenDecl)
		if !ok || decl.Tok != token.TYPE {
			return true
		}
		for _, spec := range decl.Specs {
			if ts, ok := spec.(*ast.TypeSpec); ok {
				addFieldComments(out, ts)
			}
		}
		return false
	})
	return out, nil
}

// addFieldComments adds the comments of the fields of one type declaration.
func addFieldComments(out map[string]string, spec *ast.TypeSpec) {
	st, ok := spec.Type.(*ast.StructType)
	if !ok {
		return
	}
	for _, field := range st.Fields.List {
		for _, name := range field.Names {
			out[spec.Name.Name+"."+name.Name] = oneLine(field.Doc)
		}
	}
}

// oneLine returns a comment's text on one line.
func oneLine(group *ast.CommentGroup) string {
	if group == nil {
		return ""
	}
	return strings.Join(strings.Fields(group.Text()), " ")
}
