// Package commonpw implements ports.PasswordBlocklist with the ranked list of common
// passwords that ships with zxcvbn (github.com/trustelem/zxcvbn, the Go port of
// Dropbox's password strength estimator): 30,000 passwords ordered by how often they
// appear in leaked password corpora, all in lower case.
package commonpw

import (
	"errors"
	"strings"

	"github.com/trustelem/zxcvbn/frequency"

	"github.com/studytool/studytool/ports"
)

var _ ports.PasswordBlocklist = (*Blocklist)(nil)

// listName is the key of zxcvbn's ranked password list in frequency.FrequencyLists (the
// other lists hold names, surnames and English words, which are not passwords).
const listName = "passwords"

// Blocklist answers from a set built once at construction. It is read-only afterwards
// and so safe for concurrent use.
type Blocklist struct {
	common map[string]struct{}
}

// New builds the blocklist from every entry of zxcvbn's password list. Entries shorter
// than the password policy's minimum are kept: they cost little and keep the blocklist
// right whatever the minimum becomes. New fails rather than return an empty blocklist
// that would refuse nothing (should a new zxcvbn release rename the list).
func New() (*Blocklist, error) {
	list := frequency.FrequencyLists[listName]
	if len(list) == 0 {
		return nil, errors.New("commonpw: zxcvbn has no password list named " + listName)
	}
	common := make(map[string]struct{}, len(list))
	for _, pw := range list {
		common[strings.ToLower(pw)] = struct{}{}
	}
	return &Blocklist{common: common}, nil
}

// Contains reports whether password, lower-cased, is on the list. Lower-casing is
// Unicode's, so a look-alike such as U+212A KELVIN SIGN for "k" matches too: refusing a
// few more passwords than the list names is the safe side for a blocklist.
func (b *Blocklist) Contains(password string) bool {
	_, ok := b.common[strings.ToLower(password)]
	return ok
}
