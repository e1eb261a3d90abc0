package domain_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/studytool/studytool/domain"
)

func TestValidatePassword(t *testing.T) {
	t.Parallel()
	const (
		tooShort   = "must be at least 10 characters"
		tooLong    = "must be at most 256 characters"
		noControls = "must not contain control characters"
		repetitive = "must not be a repeated or sequential run of characters such as aaaaaaaaaa or abcdefghij"
	)
	tests := []struct {
		name   string
		pw     string
		reason string
	}{
		{"ten ASCII characters", "0123456798", ""},
		{"a passphrase with spaces", "correct horse battery staple", ""},
		{"no composition rules", "alllowercase", ""},
		{"ten non-ASCII characters count as ten", "äöüäöüäöüß", ""},
		{"ten emoji count as ten", strings.Repeat("\U0001f511", 9) + "\U0001f512", ""},
		{"256 characters", strings.Repeat("a", 255) + "b", ""},
		{"256 four-byte characters", strings.Repeat("\U0001f511", 255) + "\U0001f512", ""},
		{"format characters are not controls", "pass\u200bword12", ""},

		{"empty", "", tooShort},
		{"nine characters", "012345678", tooShort},
		{"nine non-ASCII characters in eighteen bytes", "ääääääääá", tooShort},
		{"257 characters", strings.Repeat("a", 257), tooLong},
		{"257 four-byte characters", strings.Repeat("\U0001f511", 257), tooLong},
		{"a megabyte is refused before it is decoded", strings.Repeat("\xff", 1<<20), tooLong},
		{"ten NULs", strings.Repeat("\x00", 10), noControls},
		{"a NUL inside", "password\x00123", noControls},
		{"a tab", "password\t123", noControls},
		{"a line feed", "password\n123", noControls},
		{"a C1 control", "password\u0085123", noControls},
		{"DEL", "password\x7f123", noControls},
		{"invalid UTF-8", "password\xff123", invalidUTF8},
		{"one character repeated", "aaaaaaaaaa", repetitive},
		{"a pair repeated", "abababababab", repetitive},
		{"a word repeated", "passpasspass", repetitive},
		{"ascending run", "abcdefghij", repetitive},
		{"descending digits", "9876543210", repetitive},
		{"ascending digits", "0123456789", repetitive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertValidation(t, domain.ValidatePassword(tt.pw), "password", tt.reason)
		})
	}
}

func TestNormalizeDisplayName(t *testing.T) {
	t.Parallel()
	const length = "must be 1 to 100 characters"
	tests := []struct {
		name   string
		raw    string
		want   string
		reason string
	}{
		{"kept as it is", "Ada Lovelace", "Ada Lovelace", ""},
		{"trimmed", "  Ada \t\n", "Ada", ""},
		{"non-ASCII", "Zoë Ørsted", "Zoë Ørsted", ""},
		{"100 characters", strings.Repeat("é", 100), strings.Repeat("é", 100), ""},
		{"empty", "", "", length},
		{"blank", " \t ", "", length},
		{"101 characters", strings.Repeat("é", 101), "", length},
		{"line feed inside", "Ada\nLovelace", "", singleLine},
		{"tab inside", "Ada\tLovelace", "", invisible},
		{"NUL", "Ada\x00", "", invisible},
		{"C1 control", "Ada\u009b", "", invisible},
		{"zero width space only", "\u200b", "", invisible},
		{"right-to-left override", "Ada\u202eecalevoL", "", invisible},
		{"Hangul filler only", "\u3164", "", invisible},
		{"joiner in a name", "Ali\u200cReza", "", invisible},
		{"invalid UTF-8", "Ada\xff", "", invalidUTF8},
		{"private use", "Ada\ue000", "", unassigned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.NormalizeDisplayName(tt.raw)
			assertValidation(t, err, "displayName", tt.reason)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	const (
		length     = "must be an address of at most 254 characters"
		malformed  = "must be a valid address such as name@example.com"
		lookalike  = "must not contain look-alikes of ASCII letters such as the Kelvin sign"
		decomposed = "must use composed letters such as ü, not u followed by a combining mark"
	)
	tests := []struct {
		name   string
		raw    string
		want   string
		reason string
	}{
		{"trimmed and lower-cased", " ADMIN@Example.COM  ", "admin@example.com", ""},
		{"plus and dots", "first.last+tag@mail.example.org", "first.last+tag@mail.example.org", ""},
		{"non-ASCII letters keep their case", "Ünïcödé@exämple.com", "Ünïcödé@exämple.com", ""},
		{"254 bytes", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com", ""},

		{"empty", "  ", "", length},
		{"255 bytes", strings.Repeat("a", 65) + "@" + strings.Repeat("b", 185) + ".com", "", length},
		{"no at sign", "admin.example.com", "", malformed},
		{"no dot in the domain", "admin@localhost", "", malformed},
		{"display name", "Admin <admin@example.com>", "", malformed},
		{"two at signs", "a@b@example.com", "", malformed},

		{"Kelvin sign", "\u212Aadmin@example.com", "", lookalike},
		{"long s", "\u017Fupport@example.com", "", lookalike},
		{"dotted capital I", "\u0130nfo@example.com", "", lookalike},
		{"dotless i", "adm\u0131n@example.com", "", lookalike},
		{"decomposed letter", "U\u0308ber@example.com", "", decomposed},
		{"combining mark after a non-ASCII letter", "\u00e4\u0308@example.com", "\u00e4\u0308@example.com", ""},
		{"zero width space", "admin\u200b@example.com", "", invisible},
		{"right-to-left override", "admin\u202e@example.com", "", invisible},
		{"NUL", "admin\x00@example.com", "", invisible},
		{"line feed", "admin@example.com\nBcc: x@example.com", "", singleLine},
		{"invalid UTF-8", "admin\xff@example.com", "", invalidUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.NormalizeEmail(tt.raw)
			assertValidation(t, err, "email", tt.reason)
			assert.Equal(t, tt.want, got)
		})
	}
}
