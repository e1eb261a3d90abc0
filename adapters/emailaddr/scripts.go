package emailaddr

import (
	"slices"
	"unicode"
)

// highlyRestrictive lists the sets of scripts that may share one part of an address
// besides a single script: the combinations that Japanese, Chinese and Korean writing
// need, as the "highly restrictive" level of Unicode Technical Standard #39 allows.
var highlyRestrictive = [][]string{
	{"Latin", "Han", "Hiragana", "Katakana"},
	{"Latin", "Han", "Bopomofo"},
	{"Latin", "Han", "Hangul"},
}

// mixesScripts reports whether s holds characters of scripts that do not belong
// together. Characters of the Common and Inherited scripts (ASCII digits, punctuation,
// combining marks) are neutral.
func mixesScripts(s string) bool {
	var scripts []string
	for _, r := range s {
		name := scriptOf(r)
		if name == "" || slices.Contains(scripts, name) {
			continue
		}
		scripts = append(scripts, name)
	}
	if len(scripts) <= 1 {
		return false
	}
	for _, allowed := range highlyRestrictive {
		if subset(scripts, allowed) {
			return false
		}
	}
	return true
}

// scriptOf returns the Unicode script of r (its Script property, as the standard
// library's tables give it), or "" for a neutral character: one of the Common or
// Inherited scripts, or of none.
func scriptOf(r rune) string {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		return "Latin"
	case r < 0x80, unicode.Is(unicode.Common, r), unicode.Is(unicode.Inherited, r):
		return ""
	case unicode.Is(unicode.Latin, r): // the most frequent, before the search
		return "Latin"
	}
	for name, table := range unicode.Scripts {
		if unicode.Is(table, r) {
			return name
		}
	}
	return ""
}

// subset reports whether every element of a is in b.
func subset(a, b []string) bool {
	return !slices.ContainsFunc(a, func(s string) bool { return !slices.Contains(b, s) })
}
