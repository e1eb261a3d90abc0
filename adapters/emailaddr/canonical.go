// Package emailaddr implements ports.EmailCanonicalizer: the one form under which an
// account's address is stored and looked up, built with the Unicode tables of
// golang.org/x/text (PRECIS, RFC 8264, for the local part) and golang.org/x/net/idna
// (IDNA2008, RFC 5891, for the domain).
//
// The canonical form differs from the submitted address in four ways only: surrounding
// white space is trimmed; A–Z become a–z; decomposed characters are composed (NFC, so
// "u" followed by U+0308 COMBINING DIAERESIS becomes "ü": both render the same and are
// the same text to Unicode); and an ACE domain label ("xn--…") is decoded. Nothing else
// is mapped: every other difference is refused, so no Unicode trick can land on an
// account other than the one the address shows. In particular:
//
//   - Only ASCII letters are case-folded; "Ü" stays "Ü". Unicode case mapping turns
//     U+212A KELVIN SIGN into "k", and U+0130 into "i".
//   - Characters that Unicode normalization replaces by others (U+212A KELVIN SIGN, U+2126
//     OHM SIGN, U+212B ANGSTROM SIGN…) and compatibility characters (fullwidth letters,
//     ligatures, mathematical letters, superscripts) are refused, not mapped.
//   - Controls, bidirectional controls, zero-width and other invisible characters are
//     refused (domain.ValidateText), and so are symbols and spaces in the local part.
//   - A local part or a domain label may not mix scripts, so "\u0430dmin" (Cyrillic
//     "а" among Latin letters) is refused. Characters of no particular script (ASCII
//     digits, punctuation, combining marks) mix with any. The mixes that Japanese,
//     Chinese and Korean writing need are accepted, as in the "highly restrictive" level
//     of Unicode Technical Standard #39: Latin with Han, Hiragana and Katakana; Latin
//     with Han and Bopomofo; Latin with Han and Hangul.
//
// An address written entirely in one non-Latin script ("почта@пример.рф") is accepted:
// it is a different string from every ASCII address, so it cannot reach one. A whole
// word spelled in look-alike letters of one script (Cyrillic "асе" for "ace") remains
// possible; detecting it needs the confusables data of UTS #39, which x/text does not
// ship.
package emailaddr

import (
	"errors"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/secure/bidirule"
	"golang.org/x/text/secure/precis"
	"golang.org/x/text/unicode/norm"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

var _ ports.EmailCanonicalizer = (*Canonicalizer)(nil)

const (
	field = "email"
	// maxBytes is the longest address, in bytes (RFC 5321's path limit less its angle
	// brackets), checked on the input to bound the work and on the canonical form.
	maxBytes = 254
)

// Client-facing reasons of the ValidationErrors Canonical returns.
const (
	reasonLength     = "must be an address of at most 254 characters"
	reasonSyntax     = "must be a valid address such as name@example.com"
	reasonQuoted     = "must not have a quoted local part"
	reasonMark       = "must not begin with a combining mark"
	reasonCharacters = "must not contain symbols, spaces or compatibility characters such as fullwidth letters or the Kelvin sign"
	reasonBidi       = "must not mix left-to-right and right-to-left letters in one part"
	reasonScripts    = "must not mix letters of different scripts, such as Latin and Cyrillic, in one part"
	reasonDomain     = "must end with a valid domain name such as example.com"
)

// Canonicalizer computes canonical addresses. It holds no mutable state and is safe for
// concurrent use.
type Canonicalizer struct {
	local *precis.Profile
	host  *idna.Profile
}

// New returns a Canonicalizer. The local part is checked against the PRECIS
// IdentifierClass (letters, digits, combining marks and printable ASCII; no symbols,
// spaces or compatibility characters) with NFC and the Bidi Rule of RFC 5893; the domain
// must be a host name that IDNA2008 accepts for registration.
func New() *Canonicalizer {
	return &Canonicalizer{
		local: precis.NewIdentifier(precis.BidiRule, precis.DisallowEmpty),
		host:  idna.Registration,
	}
}

// Canonical returns the canonical form of raw (see the package documentation) or a
// *domain.ValidationError for field "email".
func (c *Canonicalizer) Canonical(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" || len(s) > maxBytes {
		return "", domain.NewValidationError(field, reasonLength)
	}
	if err := domain.ValidateText(field, s, domain.SingleLineText); err != nil {
		return "", err
	}
	if changesUnderNFC(s) {
		return "", domain.NewValidationError(field, reasonCharacters)
	}
	// Compose before case-folding, so that "U" followed by a combining diaeresis is the
	// non-ASCII letter "Ü" and keeps its case as "Ü" does; compose again afterwards,
	// since a lower-cased ASCII letter may compose where the capital does not ("J" with
	// a combining caron has no precomposed form, "j" with it is U+01F0).
	s = norm.NFC.String(lowerASCII(norm.NFC.String(s)))
	local, host, ok := strings.Cut(s, "@")
	if !ok || local == "" || host == "" || strings.Contains(host, "@") {
		return "", domain.NewValidationError(field, reasonSyntax)
	}
	if strings.ContainsAny(local, `"\`) {
		return "", domain.NewValidationError(field, reasonQuoted)
	}
	local, err := c.canonicalLocal(local)
	if err != nil {
		return "", err
	}
	host, err = c.canonicalHost(host)
	if err != nil {
		return "", err
	}
	return checkAddress(local + "@" + host)
}

// canonicalLocal checks the characters, the directionality and the scripts of the
// local part, which is in NFC already.
func (c *Canonicalizer) canonicalLocal(local string) (string, error) {
	if first, _ := utf8.DecodeRuneInString(local); unicode.Is(unicode.M, first) {
		return "", domain.NewValidationError(field, reasonMark)
	}
	out, err := c.local.String(local)
	switch {
	case errors.Is(err, bidirule.ErrInvalid):
		return "", domain.NewValidationError(field, reasonBidi)
	case err != nil:
		return "", domain.NewValidationError(field, reasonCharacters)
	case mixesScripts(out):
		return "", domain.NewValidationError(field, reasonScripts)
	}
	return out, nil
}

// canonicalHost checks the domain, which is in NFC already, as a host name with IDNA2008
// and returns its Unicode form, so that "xn--exmple-cua.com" and "exämple.com" are one
// domain. Each label must keep to one script, and the top-level one must not be all
// digits (which would make "1.2.3.4" a host name).
func (c *Canonicalizer) canonicalHost(host string) (string, error) {
	ascii, err := c.host.ToASCII(host)
	if err != nil {
		return "", domain.NewValidationError(field, reasonDomain)
	}
	unicodeForm, err := c.host.ToUnicode(ascii)
	if err != nil {
		return "", domain.NewValidationError(field, reasonDomain)
	}
	labels := strings.Split(unicodeForm, ".")
	if len(labels) < 2 || strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", domain.NewValidationError(field, reasonDomain)
	}
	for _, label := range labels {
		if mixesScripts(label) {
			return "", domain.NewValidationError(field, reasonScripts)
		}
	}
	return unicodeForm, nil
}

// checkAddress applies the syntactic rules of domain.NormalizeEmail to the canonical
// form: a bare address as net/mail reads it, of at most 254 bytes.
func checkAddress(addr string) (string, error) {
	if len(addr) > maxBytes {
		return "", domain.NewValidationError(field, reasonLength)
	}
	parsed, err := mail.ParseAddress(addr)
	if err != nil || parsed.Address != addr || parsed.Name != "" {
		return "", domain.NewValidationError(field, reasonSyntax)
	}
	return addr, nil
}

// lowerASCII maps A–Z to a–z and leaves every other byte alone.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// changesUnderNFC reports whether s holds a character that NFC replaces even when it
// stands alone: a singleton such as U+212A KELVIN SIGN (which becomes "K") or a
// composition exclusion. Such characters are refused, while a decomposed sequence
// (a letter followed by combining marks) is composed, which does not change what it
// shows.
func changesUnderNFC(s string) bool {
	var buf [utf8.UTFMax]byte
	for _, r := range s {
		if r < utf8.RuneSelf {
			continue
		}
		n := utf8.EncodeRune(buf[:], r)
		if !norm.NFC.IsNormal(buf[:n]) {
			return true
		}
	}
	return false
}
