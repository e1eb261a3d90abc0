package domain_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/studytool/studytool/domain"
)

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
