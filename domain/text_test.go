package domain_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// Reasons ValidateText gives, as clients read them.
const (
	invalidUTF8 = "must be valid UTF-8 text"
	singleLine  = "must be a single line"
	invisible   = "must not contain control or invisible formatting characters"
	unassigned  = "must not contain unassigned or private-use characters"
)

// assertValidation checks that err is a *domain.ValidationError for field with reason,
// or nil when reason is empty.
func assertValidation(t *testing.T, err error, field, reason string) {
	t.Helper()
	if reason == "" {
		assert.NoError(t, err)
		return
	}
	var verr *domain.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, field, verr.Field)
	assert.Equal(t, reason, verr.Reason)
}

func TestValidateText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		text       string
		singleLine string // reason under SingleLineText, "" when accepted
		multiLine  string // reason under MultiLineText, "" when accepted
	}{
		{"empty text", "", "", ""},
		{"ASCII", "Spanish verbs", "", ""},
		{"accented letters", "Ünïcödé déjà vu", "", ""},
		{"other scripts", "日本語 Ελληνικά русский עברית العربية", "", ""},
		{"no-break and ideographic spaces", "a\u00a0b\u3000c", "", ""},
		{"emoji with variation selector", "I \u2764\ufe0f Go", "", ""},
		{"combining mark", "e\u0301", "", ""},
		{"replacement character", "\ufffd", "", ""},

		{"invalid UTF-8", "ab\xffcd", invalidUTF8, invalidUTF8},
		{"truncated UTF-8 sequence", "caf\xc3", invalidUTF8, invalidUTF8},
		{"encoded surrogate", "\xed\xa0\x80", invalidUTF8, invalidUTF8},
		{"NUL", "a\x00b", invisible, invisible},
		{"ten NULs", "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", invisible, invisible},
		{"escape", "a\x1b[31mred", invisible, invisible},
		{"DEL", "a\x7fb", invisible, invisible},
		{"C1 control", "a\u009bb", invisible, invisible},

		{"line feed", "front\nback", singleLine, ""},
		{"tab", "a\tb", invisible, ""},
		{"carriage return", "a\rb", singleLine, invisible},
		{"CRLF", "a\r\nb", singleLine, invisible},
		{"vertical tab", "a\vb", singleLine, invisible},
		{"form feed", "a\fb", singleLine, invisible},
		{"next line", "a\u0085b", singleLine, invisible},
		{"line separator", "a\u2028b", singleLine, invisible},
		{"paragraph separator", "a\u2029b", singleLine, invisible},

		{"arabic letter mark", "a\u061cb", invisible, invisible},
		{"left-to-right mark", "a\u200eb", invisible, invisible},
		{"right-to-left mark", "a\u200fb", invisible, invisible},
		{"left-to-right embedding", "a\u202ab", invisible, invisible},
		{"right-to-left override", "admin\u202egpj.exe", invisible, invisible},
		{"pop directional formatting", "a\u202cb", invisible, invisible},
		{"left-to-right isolate", "a\u2066b", invisible, invisible},
		{"pop directional isolate", "a\u2069b", invisible, invisible},
		{"zero width space", "ad\u200bmin", invisible, invisible},
		{"word joiner", "a\u2060b", invisible, invisible},
		{"byte order mark", "\ufeffname", invisible, invisible},
		{"soft hyphen", "ad\u00admin", invisible, invisible},
		{"tag character", "a\U000e0041b", invisible, invisible},
		{"combining grapheme joiner", "a\u034fb", invisible, invisible},
		{"Hangul filler", "\u3164", invisible, invisible},
		{"halfwidth Hangul filler", "\uffa0", invisible, invisible},

		{"private use", "a\ue000b", unassigned, unassigned},
		{"supplementary private use", "a\U000f0000b", unassigned, unassigned},
		{"noncharacter", "a\ufffeb", unassigned, unassigned},
		{"unassigned code point", "a\U0001fffdb", unassigned, unassigned},

		{"ZWNJ in a Persian word", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", invisible, ""},
		{"ZWJ in an emoji sequence", "\U0001f469\u200d\U0001f4bb", invisible, ""},
		{"ZWJ after a variation selector", "\U0001f3f3\ufe0f\u200d\U0001f308", invisible, ""},
		{"leading joiner", "\u200dab", invisible, invisible},
		{"trailing joiner", "ab\u200c", invisible, invisible},
		{"doubled joiner", "a\u200d\u200db", invisible, invisible},
		{"joiner next to a space", "a \u200db", invisible, invisible},
		{"joiner before a line feed", "a\u200d\nb", invisible, invisible},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertValidation(t, domain.ValidateText("name", tt.text, domain.SingleLineText), "name", tt.singleLine)
			assertValidation(t, domain.ValidateText("cards[0].front", tt.text, domain.MultiLineText), "cards[0].front", tt.multiLine)
		})
	}
}

func TestValidateText_ZeroValueIsSingleLine(t *testing.T) {
	t.Parallel()
	assert.Equal(t, domain.TextRules{}, domain.SingleLineText)
}

func TestValidateText_JoinersNeedTheirRule(t *testing.T) {
	t.Parallel()
	// Multi-line text without joiners: the layout is free, the spelling strict.
	rules := domain.TextRules{MultiLine: true}
	assertValidation(t, domain.ValidateText("text", "a\nb", rules), "text", "")
	assertValidation(t, domain.ValidateText("text", "a\u200cb", rules), "text", invisible)
	// Single-line text with joiners.
	rules = domain.TextRules{Joiners: true}
	assertValidation(t, domain.ValidateText("text", "a\u200cb", rules), "text", "")
	assertValidation(t, domain.ValidateText("text", "a\nb", rules), "text", singleLine)
}

func TestNormalizeText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		text   string
		rules  domain.TextRules
		want   string
		reason string
	}{
		{"multi-line CRLF becomes LF", "one\r\ntwo\r\n", domain.MultiLineText, "one\ntwo\n", ""},
		{"multi-line lone CR becomes LF", "one\rtwo", domain.MultiLineText, "one\ntwo", ""},
		{"multi-line CR CR LF becomes two LF", "one\r\r\ntwo", domain.MultiLineText, "one\n\ntwo", ""},
		{"multi-line LF is kept", "one\ntwo", domain.MultiLineText, "one\ntwo", ""},
		{"multi-line text is not trimmed", "  indented\n", domain.MultiLineText, "  indented\n", ""},
		{"multi-line NUL is still refused", "one\r\n\x00", domain.MultiLineText, "", invisible},
		{"single-line CR is refused", "one\rtwo", domain.SingleLineText, "", singleLine},
		{"single-line CRLF is refused", "one\r\ntwo", domain.SingleLineText, "", singleLine},
		{"single-line text is kept", "Deck 1", domain.SingleLineText, "Deck 1", ""},
		{"invalid UTF-8 is refused", "\xc3\x28", domain.MultiLineText, "", invalidUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.NormalizeText("text", tt.text, tt.rules)
			assertValidation(t, err, "text", tt.reason)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestValidateText_ErrorIsValidationError(t *testing.T) {
	t.Parallel()
	err := domain.ValidateText("name", "\x00", domain.SingleLineText)
	var verr *domain.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.EqualError(t, err, "validation failed: name: "+invisible)
}

func FuzzValidateText(f *testing.F) {
	for _, seed := range []string{"", "plain", "a\r\nb", "\x00", "\xff", "a\u200db", "\u202e", "\U0001f469\u200d\U0001f4bb"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, rules := range []domain.TextRules{domain.SingleLineText, domain.MultiLineText} {
			out, err := domain.NormalizeText("text", s, rules)
			if err != nil {
				continue
			}
			// What NormalizeText returns is accepted as it is and is a fixed point.
			if verr := domain.ValidateText("text", out, rules); verr != nil {
				t.Fatalf("NormalizeText(%q) = %q, which ValidateText refuses: %v", s, out, verr)
			}
			if again, _ := domain.NormalizeText("text", out, rules); again != out {
				t.Fatalf("NormalizeText is not idempotent: %q -> %q -> %q", s, out, again)
			}
		}
	})
}
