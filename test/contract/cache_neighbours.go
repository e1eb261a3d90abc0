package contract

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// NeighbourKind is a kind of state a deployment keeps beside its cache: in the same
// keyspace, outside the cache namespace.
type NeighbourKind int

// The kinds of state a cache store must never touch.
const (
	// NeighbourSession is a login session, named by Neighbour.ID.
	NeighbourSession NeighbourKind = iota + 1
	// NeighbourSessionIndex is a user's index of sessions, named by Neighbour.UserID.
	NeighbourSessionIndex
	// NeighbourProgress is a cached progress copy of user Neighbour.UserID on card
	// Neighbour.ID.
	NeighbourProgress
	// NeighbourStudySession is study session Neighbour.ID of user Neighbour.UserID.
	NeighbourStudySession
)

// String names the kind for failure messages.
func (k NeighbourKind) String() string {
	switch k {
	case NeighbourSession:
		return "session"
	case NeighbourSessionIndex:
		return "session index"
	case NeighbourProgress:
		return "progress copy"
	case NeighbourStudySession:
		return "study session"
	}
	return fmt.Sprintf("NeighbourKind(%d)", int(k))
}

// Neighbour is one piece of state a CacheHarness plants beside its cache store.
type Neighbour struct {
	Kind   NeighbourKind
	UserID string
	ID     string
}

// String names the neighbour for failure messages.
func (n Neighbour) String() string { return fmt.Sprintf("%s (user %q, id %q)", n.Kind, n.UserID, n.ID) }

// NeighbourKeys builds the key of each kind of neighbour in a key-value store; the
// deployment's key layout, adapters/shared/keyspace.Keyspace, satisfies it.
type NeighbourKeys interface {
	Session(id string) (string, error)
	UserSessions(userID string) (string, error)
	Progress(userID, cardID string) (string, error)
	StudySession(userID, id string) (string, error)
}

// Key returns the key of n under keys: what a harness of a key-value cache store writes
// to plant n.
func (n Neighbour) Key(keys NeighbourKeys) (string, error) {
	switch n.Kind {
	case NeighbourSession:
		return keys.Session(n.ID)
	case NeighbourSessionIndex:
		return keys.UserSessions(n.UserID)
	case NeighbourProgress:
		return keys.Progress(n.UserID, n.ID)
	case NeighbourStudySession:
		return keys.StudySession(n.UserID, n.ID)
	}
	return "", fmt.Errorf("neighbour key: unknown kind %s", n.Kind)
}

// cacheDeletePatternSparesNeighbours checks that pattern deletion, `*` above all, removes
// the cache's own keys and none of the state its deployment keeps beside them (a
// session, a user's session index, a progress copy, a study session), even where cache
// keys are named after that state.
func cacheDeletePatternSparesNeighbours(t *testing.T, newStore CacheStoreFactory) {
	h := newStore(t)
	ctx := t.Context()
	userID, sessionID, cardID, studyID := uuid.NewString(), NewSessionID(t), uuid.NewString(), uuid.NewString()
	neighbours := []Neighbour{
		{Kind: NeighbourSession, ID: sessionID},
		{Kind: NeighbourSessionIndex, UserID: userID},
		{Kind: NeighbourProgress, UserID: userID, ID: cardID},
		{Kind: NeighbourStudySession, UserID: userID, ID: studyID},
	}
	for _, n := range neighbours {
		require.NoError(t, h.Plant(ctx, n), "plant %s", n)
	}
	namesakes := []string{
		"session:" + sessionID,
		"user:sessions:" + userID,
		"progress:" + userID + ":" + cardID,
		"study:sessions:" + userID + ":" + studyID,
	}
	for _, k := range namesakes {
		require.NoError(t, h.Store.Set(ctx, k, []byte("a cache entry named like other state"), time.Minute))
	}

	var deleted int64
	for _, pattern := range []string{"session:*", "*sessions*", "?*", "*"} {
		n, err := h.Store.DeletePattern(ctx, pattern)
		require.NoError(t, err, pattern)
		deleted += n
	}
	assert.Equal(t, int64(len(namesakes)), deleted, "the cache's own keys are deleted, and only they")
	for _, k := range namesakes {
		_, err := h.Store.Get(ctx, k)
		require.ErrorIs(t, err, domain.ErrCacheMiss, k)
	}
	for _, n := range neighbours {
		kept, err := h.Planted(ctx, n)
		require.NoError(t, err, "%s", n)
		assert.True(t, kept, "the %s beside the cache must survive its pattern deletion", n)
	}
}
