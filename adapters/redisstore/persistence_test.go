package redisstore_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/contract"
	"github.com/studytool/studytool/test/redistopo"
)

// stateConf is the configuration deployed for the state role.
const stateConf = "../../deploy/redis/state.conf"

// aofSettled is how long after a write a kill -9 may no longer lose it under
// `appendfsync everysec`: a write the server postponed behind a running fsync waits up
// to two seconds.
const aofSettled = 2*time.Second + 500*time.Millisecond

// stateStores are the state-role stores on one connection to a state Redis.
type stateStores struct {
	client   redis.UniversalClient
	sessions *redisstore.SessionStore
	study    *redisstore.StudySessionStore
}

// TestStateRedis_PersistsSessionsAcrossRestart starts a state Redis from
// deploy/redis/state.conf, stores sessions and a study session, stops the server — with
// SHUTDOWN, or with kill -9 once the AOF has settled — starts it again on the same data
// directory, and finds every session as it was: valid, evicted or revoked.
func TestStateRedis_PersistsSessionsAcrossRestart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		stop func(*redistopo.Server) error
		wait time.Duration
	}{
		{"graceful SHUTDOWN", (*redistopo.Server).Shutdown, 0},
		{"kill -9 after the everysec fsync", (*redistopo.Server).Kill, aofSettled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := redistopo.Standalone(t, redistopo.Options{ConfigFile: stateConf})
			ks := keyspace.MustNew("test", "")
			before := connectState(t, srv, ks)
			requireStateConfig(t, before.client)
			policy := sessionTestPolicy // at most 5 sessions per user

			alice, bob := uuid.NewString(), uuid.NewString()
			var aliceSessions []*domain.Session
			for i := range policy.MaxPerUser + 1 { // the oldest is evicted
				s := contract.NewSessionFixture(t, alice, time.Now().Add(time.Duration(i-10)*time.Second))
				_, err := before.sessions.Create(t.Context(), s)
				require.NoError(t, err)
				aliceSessions = append(aliceSessions, s)
			}
			bobKept := contract.NewSessionFixture(t, bob, time.Now())
			bobRevoked := contract.NewSessionFixture(t, bob, time.Now())
			for _, s := range []*domain.Session{bobKept, bobRevoked} {
				_, err := before.sessions.Create(t.Context(), s)
				require.NoError(t, err)
			}
			require.NoError(t, before.sessions.Delete(t.Context(), bobRevoked.ID))
			study := contract.NewStudySessionFixture(alice, 3)
			require.NoError(t, before.study.Create(t.Context(), study))

			time.Sleep(tt.wait)
			require.NoError(t, tt.stop(srv))
			require.NoError(t, srv.Restart())
			_, err := os.Stat(filepath.Join(srv.Dir(), "appendonlydir"))
			require.NoError(t, err, "the server keeps an AOF")
			after := connectState(t, srv, ks)

			requireValid(t, after.sessions, aliceSessions[1:]...)
			requireValid(t, after.sessions, bobKept)
			requireInvalid(t, after.sessions, aliceSessions[0], bobRevoked)
			listed, err := after.sessions.List(t.Context(), alice)
			require.NoError(t, err)
			assert.Len(t, listed, policy.MaxPerUser, "the user's index survives")
			got, err := after.study.Get(t.Context(), alice, study.ID)
			require.NoError(t, err)
			assert.Equal(t, study.Queue, got.Queue)
		})
	}
}

// connectState connects to srv as the service's state role does.
func connectState(t *testing.T, srv *redistopo.Server, ks keyspace.Keyspace) stateStores {
	t.Helper()
	client, err := redisstore.NewClient(redisstore.ClientConfig{
		Role: "state", Mode: redisstore.ModeStandalone, Addrs: []string{srv.Addr()},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close() })
	return stateStores{
		client:   client,
		sessions: redisstore.NewSessionStore(client, ks, sessionTestPolicy, nil),
		study:    redisstore.NewStudySessionStore(client, ks, domain.StudySessionTTL),
	}
}

// requireStateConfig checks that the server runs with state.conf's persistence and
// eviction settings.
func requireStateConfig(t *testing.T, client redis.UniversalClient) {
	t.Helper()
	got, err := client.ConfigGet(t.Context(), "*").Result()
	require.NoError(t, err)
	assert.Equal(t, "yes", got["appendonly"])
	assert.Equal(t, "everysec", got["appendfsync"])
	assert.Equal(t, "noeviction", got["maxmemory-policy"])
}

// requireValid checks that each session validates as the user's, with its absolute
// expiry unchanged.
func requireValid(t *testing.T, store *redisstore.SessionStore, sessions ...*domain.Session) {
	t.Helper()
	for _, want := range sessions {
		got, err := store.Validate(t.Context(), want.ID, time.Now())
		require.NoError(t, err, "session %s", want.ID)
		assert.Equal(t, want.UserID, got.UserID)
		assert.True(t, want.AbsoluteExpiresAt.Equal(got.AbsoluteExpiresAt),
			"absolute expiry %s, want %s", got.AbsoluteExpiresAt, want.AbsoluteExpiresAt)
	}
}

// requireInvalid checks that each session no longer validates.
func requireInvalid(t *testing.T, store *redisstore.SessionStore, sessions ...*domain.Session) {
	t.Helper()
	for _, s := range sessions {
		_, err := store.Validate(t.Context(), s.ID, time.Now())
		require.ErrorIs(t, err, domain.ErrSessionInvalid, "session %s", s.ID)
	}
}
