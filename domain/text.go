package domain

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// TextRules says what a free-text field accepts beyond visible characters and spaces.
// The zero value is the strictest rule: one line, nothing invisible.
//
// Every rule refuses invalid UTF-8 and NUL (PostgreSQL cannot store either), the C0 and
// C1 controls, the bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E,
// U+2066–U+2069), the other format characters of category Cf (U+00AD SOFT HYPHEN,
// U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER, U+FEFF, the tag characters…), the other
// default-ignorable code points (U+034F COMBINING GRAPHEME JOINER, the Hangul fillers
// U+115F, U+1160, U+3164 and U+FFA0 that make blank-looking names), the line and
// paragraph separators U+2028 and U+2029, private-use code points, noncharacters and
// code points unassigned in the Unicode version of the Go toolchain. Such characters
// either render as nothing, reorder what is shown around them, or render differently
// from one system to the next, so text holding them can look like other text.
//
// Variation selectors (U+FE00–U+FE0F) are accepted: they only choose a glyph for the
// character before them, and emoji need U+FE0F.
type TextRules struct {
	// MultiLine accepts line feeds and tabs, for text shown as a block (card sides,
	// descriptions). Other line breaks are refused; NormalizeText turns CRLF and a lone CR
	// into LF first.
	MultiLine bool
	// Joiners accepts U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH JOINER, each
	// between two visible characters: Persian and the Indic scripts need them to spell
	// words correctly, and emoji sequences such as 👩‍💻 are built with them. Leading,
	// trailing, repeated or space-adjacent joiners are still refused.
	Joiners bool
}

var (
	// SingleLineText is the rule for names that people tell apart by eye (display names,
	// deck names): one line and nothing invisible, so two names that look alike are
	// spelled alike.
	SingleLineText = TextRules{}
	// MultiLineText is the rule for content (card sides, deck descriptions): line feeds,
	// tabs and joiners between visible characters are accepted.
	MultiLineText = TextRules{MultiLine: true, Joiners: true}
)

// Client-facing reasons of the ValidationErrors that ValidateText returns.
const (
	reasonInvalidUTF8 = "must be valid UTF-8 text"
	reasonSingleLine  = "must be a single line"
	reasonInvisible   = "must not contain control or invisible formatting characters"
	reasonUnassigned  = "must not contain unassigned or private-use characters"
)

const (
	zeroWidthNonJoiner = '\u200C'
	zeroWidthJoiner    = '\u200D'
)

// ValidateText checks that s is readable text under rules and returns a
// *ValidationError for field naming the first problem, or nil. It never changes s; see
// NormalizeText for multi-line input, whose line breaks may arrive as CRLF.
func ValidateText(field, s string, rules TextRules) error {
	if !utf8.ValidString(s) {
		return NewValidationError(field, reasonInvalidUTF8)
	}
	prev := rune(-1)
	for i, r := range s {
		reason := runeProblem(r, rules)
		if r == zeroWidthNonJoiner || r == zeroWidthJoiner {
			reason = joinerProblem(s[i+utf8.RuneLen(r):], prev, rules)
		}
		if reason != "" {
			return NewValidationError(field, reason)
		}
		prev = r
	}
	return nil
}

// NormalizeText prepares s for storage under rules, then validates it as ValidateText
// does. In multi-line text every CRLF and every lone CR becomes LF, as browsers do with
// the value of a textarea, so stored text has one kind of line break whatever the
// client's platform. In single-line text a CR is refused like any other line break.
func NormalizeText(field, s string, rules TextRules) (string, error) {
	if rules.MultiLine && strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	if err := ValidateText(field, s, rules); err != nil {
		return "", err
	}
	return s, nil
}

// runeProblem returns why r is refused under rules, or "" when it is accepted. Joiners
// depend on their neighbours and are judged by joinerProblem.
func runeProblem(r rune, rules TextRules) string {
	switch {
	case r == '\n' || r == '\t':
		if rules.MultiLine {
			return ""
		}
		if r == '\n' {
			return reasonSingleLine
		}
		return reasonInvisible
	case isLineBreak(r):
		if rules.MultiLine {
			return reasonInvisible
		}
		return reasonSingleLine
	case unicode.IsControl(r), isInvisible(r):
		return reasonInvisible
	case unicode.IsGraphic(r):
		return ""
	default: // private use, surrogate, noncharacter or unassigned
		return reasonUnassigned
	}
}

// joinerProblem returns why a ZWNJ or ZWJ between prev (-1 at the start) and the text
// rest is refused under rules, or "" when it is accepted.
func joinerProblem(rest string, prev rune, rules TextRules) string {
	if !rules.Joiners {
		return reasonInvisible
	}
	next, _ := utf8.DecodeRuneInString(rest)
	if rest == "" || !isVisible(prev) || !isVisible(next) {
		return reasonInvisible
	}
	return ""
}

// isLineBreak reports whether r ends a line: CR, LF, VT, FF, NEL, U+2028 or U+2029.
func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// isInvisible reports whether r is a format character (category Cf, which holds the
// bidirectional controls and the zero-width characters) or another default-ignorable
// code point, both of which render as nothing.
func isInvisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}

// isVisible reports whether r draws something: a graphic character that is neither a
// space nor invisible.
func isVisible(r rune) bool {
	return r >= 0 && unicode.IsGraphic(r) && !unicode.IsSpace(r) && !isInvisible(r)
}
