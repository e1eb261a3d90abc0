package emailaddr_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"

	"github.com/studytool/studytool/adapters/emailaddr"
	"github.com/studytool/studytool/domain"
)

// Reasons Canonical gives, as clients read them.
const (
	length     = "must be an address of at most 254 characters"
	syntax     = "must be a valid address such as name@example.com"
	quoted     = "must not have a quoted local part"
	mark       = "must not begin with a combining mark"
	characters = "must not contain symbols, spaces or compatibility characters such as fullwidth letters or the Kelvin sign"
	bidi       = "must not mix left-to-right and right-to-left letters in one part"
	scripts    = "must not mix letters of different scripts, such as Latin and Cyrillic, in one part"
	badDomain  = "must end with a valid domain name such as example.com"
	invisible  = "must not contain control or invisible formatting characters"
	singleLine = "must be a single line"
	utf8Text   = "must be valid UTF-8 text"
)

func TestCanonical(t *testing.T) {
	t.Parallel()
	c := emailaddr.New()
	tests := []struct {
		name   string
		raw    string
		want   string
		reason string // "" when accepted
	}{
		// Accepted, and how.
		{"trimmed and ASCII lower-cased", " ADMIN@Example.COM  ", "admin@example.com", ""},
		{"already canonical", "first.last+tag@mail.example.org", "first.last+tag@mail.example.org", ""},
		{"every atext character", "a!#$%&'*+/=?^_`{|}~-@x.com", "a!#$%&'*+/=?^_`{|}~-@x.com", ""},
		{"NFC, one script, non-ASCII case kept", "Ünïcödé@exämple.com", "Ünïcödé@exämple.com", ""},
		{"NFD is composed to the same NFC form", norm.NFD.String("Ünïcödé@exämple.com"), "Ünïcödé@exämple.com", ""},
		{"a decomposed capital keeps its case", "U\u0308ber@example.com", "Über@example.com", ""},
		{"a lower-cased ASCII letter composes", "J\u030Cosef@example.com", "\u01F0osef@example.com", ""},
		{"all Cyrillic, local part and domain", "почта@пример.рф", "почта@пример.рф", ""},
		{"all Greek local part, Latin domain", "παράδειγμα@example.gr", "παράδειγμα@example.gr", ""},
		{"Hebrew local part", "שלום@example.com", "שלום@example.com", ""},
		{"Japanese mixes Han, Hiragana and Katakana", "田中たなかタナカ@example.jp", "田中たなかタナカ@example.jp", ""},
		{"Latin with Han", "tanaka田中@example.jp", "tanaka田中@example.jp", ""},
		{"Korean mixes Han and Hangul", "金김@example.kr", "金김@example.kr", ""},
		{"Catalan middle dot between two l", "col\u00b7legi@example.cat", "col\u00b7legi@example.cat", ""},
		{"ACE domain label is decoded", "a@xn--exmple-cua.com", "a@exämple.com", ""},
		{"upper-case ACE prefix", "a@XN--EXMPLE-CUA.COM", "a@exämple.com", ""},
		{"254 bytes", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".com",
			strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".com", ""},

		// Unicode tricks.
		{"Kelvin sign", "\u212Aadmin@example.com", "", characters},
		{"Kelvin sign in the domain", "admin@\u212Aexample.com", "", characters},
		{"ohm sign", "\u2126mega@example.com", "", characters},
		{"angstrom sign", "\u212Bngstrom@example.com", "", characters},
		{"long s", "\u017Fupport@example.com", "", characters},
		{"fullwidth letters", "ｆｕｌｌwidth@example.com", "", characters},
		{"fullwidth at sign", "admin＠example.com", "", syntax},
		{"fullwidth letters in the domain", "admin@ｅｘａｍｐｌｅ.com", "", badDomain},
		{"mathematical bold letters", "\U0001D41Admin@example.com", "", characters},
		{"ligature", "\uFB01le@example.com", "", characters},
		{"superscript digit", "a\u00b2@example.com", "", characters},
		{"Cyrillic a among Latin letters", "\u0430dmin@example.com", "", scripts},
		{"Greek omicron among Latin letters", "g\u03bfogle@example.com", "", scripts},
		{"Cyrillic a in a Latin domain", "admin@ex\u0430mple.com", "", scripts},
		{"Cyrillic letter in a Latin top-level domain", "admin@example.co\u043c", "", scripts},
		{"Arabic-Indic digit among Latin letters", "paypal\u0661@example.com", "", bidi},
		{"Latin and Hebrew", "abc\u05e9\u05dc\u05d5\u05dd@example.com", "", bidi},
		{"zero width space", "admin\u200b@example.com", "", invisible},
		{"zero width joiner", "ad\u200dmin@example.com", "", invisible},
		{"soft hyphen", "ad\u00admin@example.com", "", invisible},
		{"right-to-left override", "admin\u202e@example.com", "", invisible},
		{"left-to-right mark", "\u200eadmin@example.com", "", invisible},
		{"byte order mark", "\ufeffadmin@example.com", "", invisible},
		{"leading combining mark", "\u0301admin@example.com", "", mark},
		{"no-break space inside", "ad\u00a0min@example.com", "", characters},

		// Controls and encoding.
		{"NUL", "admin\x00@example.com", "", invisible},
		{"line feed", "admin@example.com\nBcc: x@example.com", "", singleLine},
		{"C1 control", "admin\u0085@example.com", "", singleLine},
		{"invalid UTF-8", "admin\xff@example.com", "", utf8Text},

		// Syntax.
		{"empty", "", "", length},
		{"blank", " \t ", "", length},
		{"255 bytes", strings.Repeat("a", 65) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".com", "", length},
		{"no at sign", "admin.example.com", "", syntax},
		{"two at signs", "a@b@example.com", "", syntax},
		{"empty local part", "@example.com", "", syntax},
		{"empty domain", "admin@", "", syntax},
		{"display name", "Admin <admin@example.com>", "", characters},
		{"leading dot", ".admin@example.com", "", syntax},
		{"trailing dot in the local part", "admin.@example.com", "", syntax},
		{"two dots", "ad..min@example.com", "", syntax},
		{"space inside", "ad min@example.com", "", characters},
		{"quoted local part", `"ad..min"@example.com`, "", quoted},
		{"quoted local part with an at sign", `"admin@example.com"@evil.example`, "", syntax},
		{"backslash", `ad\min@example.com`, "", quoted},

		// Host names.
		{"no dot in the domain", "admin@localhost", "", badDomain},
		{"trailing dot", "admin@example.com.", "", badDomain},
		{"empty label", "admin@example..com", "", badDomain},
		{"IP literal", "admin@[192.0.2.1]", "", badDomain},
		{"dotted IPv4 address", "admin@192.0.2.1", "", badDomain},
		{"numeric top-level label", "admin@example.123", "", badDomain},
		{"underscore", "admin@ex_ample.com", "", badDomain},
		{"leading hyphen", "admin@-example.com", "", badDomain},
		{"trailing hyphen", "admin@example-.com", "", badDomain},
		{"hyphens in third and fourth place", "admin@ab--cd.com", "", badDomain},
		{"label of 64 bytes", "admin@" + strings.Repeat("a", 64) + ".com", "", badDomain},
		{"non-ASCII capital in the domain", "admin@EXÄMPLE.com", "", badDomain},
		{"symbol in the domain", "admin@exa$mple.com", "", badDomain},
		{"ACE label that decodes to nothing valid", "admin@xn--a-ecp.ru", "", badDomain},
		{"ACE label of ASCII only", "admin@xn--example-.com", "", badDomain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.Canonical(tt.raw)
			if tt.reason == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			var verr *domain.ValidationError
			require.ErrorAs(t, err, &verr, "Canonical(%+q) = %+q", tt.raw, got)
			assert.Equal(t, "email", verr.Field)
			assert.Equal(t, tt.reason, verr.Reason)
			assert.Empty(t, got)
		})
	}
}

// TestCanonical_KelvinNeverNamesAnASCIIAccount spells "kadmin@example.com" with every
// character that case-maps or normalizes onto "k" and checks that none of them is
// accepted as that address.
func TestCanonical_KelvinNeverNamesAnASCIIAccount(t *testing.T) {
	t.Parallel()
	c := emailaddr.New()
	for _, k := range []string{"\u212A", "\uFF2B", "\uFF4B", "\U0001D40A", "\u24C0", "\u1D37", "\u2096"} {
		got, err := c.Canonical(k + "admin@example.com")
		assert.Error(t, err, "%+q", k)
		assert.NotEqual(t, "kadmin@example.com", got, "%+q", k)
	}
}

func TestCanonical_MatchesNormalizeEmailOnASCII(t *testing.T) {
	t.Parallel()
	c := emailaddr.New()
	for _, raw := range []string{" ADMIN@Example.COM ", "first.last+tag@mail.example.org", "a@b.co"} {
		want, err := domain.NormalizeEmail(raw)
		require.NoError(t, err)
		got, err := c.Canonical(raw)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
}

func TestCanonical_ConcurrentUse(t *testing.T) {
	t.Parallel()
	c := emailaddr.New()
	done := make(chan string)
	for range 4 {
		go func() {
			got, _ := c.Canonical("Ünïcödé@EXAMPLE.com")
			done <- got
		}()
	}
	for range 4 {
		assert.Equal(t, "Ünïcödé@example.com", <-done)
	}
}

func BenchmarkCanonical(b *testing.B) {
	c := emailaddr.New()
	for _, raw := range []string{" ADMIN@Example.COM ", "Ünïcödé@exämple.com"} {
		b.Run(raw, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.Canonical(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzCanonical checks the properties that make the canonical form safe to key
// accounts on, whatever the input.
func FuzzCanonical(f *testing.F) {
	for _, seed := range []string{
		" ADMIN@Example.COM  ", "\u212Aadmin@example.com", "\u0430dmin@example.com", "admin\u200b@example.com",
		"admin\u202e@example.com", "ｆｕｌｌwidth@example.com", "Ünïcödé@exämple.com", norm.NFD.String("Ünïcödé@exämple.com"),
		"почта@пример.рф", "a@xn--exmple-cua.com", "J\u030Cosef@example.com", "田中@example.jp", `"a"@b.com`, "a@[1.2.3.4]",
	} {
		f.Add(seed)
	}
	c := emailaddr.New()
	f.Fuzz(func(t *testing.T, raw string) {
		out, err := c.Canonical(raw)
		if err != nil {
			var verr *domain.ValidationError
			if !assert.ErrorAs(t, err, &verr) || verr.Field != "email" {
				t.Fatalf("Canonical(%+q) failed with %v, not a ValidationError for email", raw, err)
			}
			return
		}
		// Idempotent: a canonical form is its own canonical form.
		again, err := c.Canonical(out)
		if err != nil || again != out {
			t.Fatalf("Canonical(%+q) = %+q, whose canonical form is %+q, %v", raw, out, again, err)
		}
		// ASCII-lowercase-stable, NFC, readable, bounded.
		if strings.ContainsFunc(out, func(r rune) bool { return 'A' <= r && r <= 'Z' }) {
			t.Fatalf("Canonical(%+q) = %+q holds an ASCII capital", raw, out)
		}
		if !norm.NFC.IsNormalString(out) || len(out) > 254 || domain.ValidateText("email", out, domain.SingleLineText) != nil {
			t.Fatalf("Canonical(%+q) = %+q is not bounded, readable NFC text", raw, out)
		}
		// The only mappings are trimming, ASCII lower-casing, NFC and ACE decoding. Without
		// an ACE label, the output is the composed, ASCII-lower-cased input: no
		// case mapping of a non-ASCII letter, no width or compatibility mapping, so no
		// input reaches an address other than the one it shows.
		trimmed := strings.TrimSpace(raw)
		if !strings.Contains(strings.ToLower(trimmed), "xn--") {
			want := norm.NFC.String(lowerASCII(norm.NFC.String(trimmed)))
			if out != want {
				t.Fatalf("Canonical(%+q) = %+q, want the input composed and lower-cased: %+q", raw, out, want)
			}
		}
		// In particular an ASCII address comes only from the same ASCII address.
		if isASCII(out) && lowerASCII(trimmed) != out {
			t.Fatalf("Canonical(%+q) = ASCII %+q from another spelling", raw, out)
		}
		// The case of ASCII letters does not matter. (An ASCII letter followed by a
		// combining mark may compose into a non-ASCII one, whose case does: so swap the
		// case of the composed input.)
		if swapped, err := c.Canonical(swapASCIICase(norm.NFC.String(raw))); err != nil || swapped != out {
			t.Fatalf("Canonical(%+q) = %+q, but with ASCII case swapped %+q, %v", raw, out, swapped, err)
		}
	})
}

func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

func swapASCIICase(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' {
			b[i] = c ^ 0x20
		}
	}
	return string(b)
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
