package keyspace_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/studytool/studytool/adapters/shared/keyspace"
)

// TestStateKeys checks the pattern a state backup scans and which of its matches belong
// to the state role.
func TestStateKeys(t *testing.T) {
	ks := keyspace.MustNew("", "pyramid:dev:")
	assert.Equal(t, "pyramid:dev:*", ks.StatePattern())
	for key, state := range map[string]bool{
		"pyramid:dev:session:abc":          true,
		"pyramid:dev:user:sessions:u1":     true,
		"pyramid:dev:study:sessions:u1:s1": true,
		"pyramid:dev:idempotency:u1":       true,
		"pyramid:dev:ratelimit:login:abc":  true,
		"pyramid:dev:cache:deck:v1:d1":     false,
		"pyramid:dev:progress:u1:c1":       false,
		"pyramid:prod:session:abc":         false,
		"other:pyramid:dev:session:abc":    false,
	} {
		assert.Equal(t, state, ks.IsStateKey(key), key)
	}
}
