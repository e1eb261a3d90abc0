package redisstore_test

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/adapters/shared/localtier"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/contract"
	"github.com/studytool/studytool/test/redistopo"
	"github.com/studytool/studytool/test/testenv"
)

// replica is one service instance's view of a shared Redis: its own client (named, so
// that a test can find its tracking connection), a local tier and the Tracker feeding it.
type replica struct {
	client *redis.Client
	tier   *localtier.Tier
	name   string
	count  *commandCount
}

// newReplica connects a replica to the Redis of base and waits until its tier is in
// use, watching prefixes.
func newReplica(t *testing.T, base *redis.Client, prefixes ...string) *replica {
	t.Helper()
	opts := *base.Options()
	opts.ClientName = "lt" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
	client := redis.NewClient(&opts)
	t.Cleanup(func() { _ = client.Close() })
	count := &commandCount{}
	client.AddHook(count)
	tier, err := localtier.New("test", localtier.Config{MaxEntries: 1000, MaxBytes: 1 << 20})
	require.NoError(t, err)
	tracker, err := redisstore.NewTracker(client, tier, nil, prefixes...)
	require.NoError(t, err)
	tracker.Start(t.Context())
	t.Cleanup(func() { require.NoError(t, tracker.Stop(context.Background())) })
	requireEventually(t, tier.IsUp, "the tier is put in use")
	return &replica{client: client, tier: tier, name: opts.ClientName, count: count}
}

// trackingConnID returns the id of the replica's tracking connection.
func (r *replica) trackingConnID(t *testing.T) int64 {
	t.Helper()
	list, err := r.client.ClientList(t.Context()).Result()
	require.NoError(t, err)
	for line := range strings.SplitSeq(list, "\n") {
		if !strings.Contains(line, " name="+r.name+"-tracking ") {
			continue
		}
		for field := range strings.FieldsSeq(line) {
			if v, ok := strings.CutPrefix(field, "id="); ok {
				id, err := strconv.ParseInt(v, 10, 64)
				require.NoError(t, err)
				return id
			}
		}
	}
	t.Fatalf("no tracking connection named %s-tracking", r.name)
	return 0
}

// commandCount is a go-redis hook counting the round trips of a client.
type commandCount struct{ n atomic.Int64 }

func (c *commandCount) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *commandCount) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *commandCount) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// heldSession starts a replica on client watching ks's sessions, creates a session through
// its tiered store and returns once the tier holds it, with the time it was created at.
func heldSession(t *testing.T, client *redis.Client, ks keyspace.Keyspace) (*replica, *redisstore.LocalSessions, *domain.Session, time.Time) {
	t.Helper()
	r := newReplica(t, client, ks.SessionNamespace())
	store := localSessions(t, r, ks, sessionTestPolicy)
	now := time.Now().UTC()
	s := contract.NewSessionFixture(t, "u1", now)
	_, err := store.Create(t.Context(), s)
	require.NoError(t, err)
	warm(t, store, r.tier, s.ID, now)
	return r, store, s, now
}

// warm validates session id on store until the tier answers it: the invalidation of the
// session's creation may reach the tier after the first read filled it.
func warm(t *testing.T, store *redisstore.LocalSessions, tier *localtier.Tier, id string, now time.Time) {
	t.Helper()
	requireEventually(t, func() bool {
		hits := tier.Stats().Hits
		_, err := store.Validate(t.Context(), id, now)
		require.NoError(t, err)
		return tier.Stats().Hits > hits
	}, "the tier holds the session")
}

func requireEventually(t *testing.T, cond func() bool, what string) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, time.Millisecond, what)
}

func localSessions(t *testing.T, r *replica, ks keyspace.Keyspace, policy domain.SessionPolicy) *redisstore.LocalSessions {
	t.Helper()
	s := redisstore.NewLocalSessions(redisstore.NewSessionStore(r.client, ks, policy, nil), r.tier)
	t.Cleanup(func() { _ = s.Wait(context.Background()) })
	return s
}

func TestLocalSessions_Contract(t *testing.T) {
	contract.SessionStore(t, func(t *testing.T, policy domain.SessionPolicy) contract.SessionHarness {
		t.Helper()
		client, prefix := testenv.Redis(t)
		ks := keyspace.MustNew("", prefix)
		r := newReplica(t, client, ks.SessionNamespace())
		store := localSessions(t, r, ks, policy)
		return contract.SessionHarness{
			Store:    store,
			Now:      func() time.Time { return time.Now().UTC() },
			Sleep:    time.Sleep,
			IndexLen: sessionIndexLen(r.client, ks),
			OnStep:   onRoundTrips(r.client),
			Settle:   store.Wait,
		}
	})
}

// A session validated once is validated again without a round trip, until it changes.
func TestLocalSessions_ValidateFromTheTier(t *testing.T) {
	client, prefix := testenv.Redis(t)
	r, store, s, now := heldSession(t, client, keyspace.MustNew("", prefix))
	before, hits := r.count.n.Load(), r.tier.Stats().Hits
	for range 100 {
		got, err := store.Validate(t.Context(), s.ID, now.Add(time.Second))
		require.NoError(t, err)
		assert.Equal(t, "u1", got.UserID)
	}
	assert.Equal(t, before, r.count.n.Load(), "validations of an unchanged session cost no round trip")
	assert.Equal(t, hits+100, r.tier.Stats().Hits)

	// Past the activity resolution the refresh is written back once, in the background;
	// the write invalidates the copy and the next validation reads it afresh.
	later := now.Add(sessionTestPolicy.ActivityResolution + time.Second)
	_, err := store.Validate(t.Context(), s.ID, later)
	require.NoError(t, err)
	require.NoError(t, store.Wait(t.Context()))
	stored, err := store.Get(t.Context(), s.ID)
	require.NoError(t, err)
	assert.Equal(t, later.UnixMilli(), stored.LastActivity.UnixMilli(), "the write-back stored lastActivity")
	requireEventually(t, func() bool { return r.tier.Stats().Entries == 0 }, "the write-back invalidated the copy")
}

// A logout on one replica ends the session on another within the invalidation delay.
func TestLocalSessions_DeleteOnAnotherReplica(t *testing.T) {
	client, prefix := testenv.Redis(t)
	ks := keyspace.MustNew("", prefix)
	a := localSessions(t, newReplica(t, client, ks.SessionNamespace()), ks, sessionTestPolicy)
	rb := newReplica(t, client, ks.SessionNamespace())
	b := localSessions(t, rb, ks, sessionTestPolicy)

	for _, revoke := range []struct {
		name string
		do   func(s *domain.Session) error
	}{
		{"logout", func(s *domain.Session) error { return a.Delete(t.Context(), s.ID) }},
		{"logout everywhere", func(s *domain.Session) error { _, err := a.DeleteUser(t.Context(), s.UserID); return err }},
		{"key deleted by an operator", func(s *domain.Session) error {
			key, err := ks.Session(s.ID)
			require.NoError(t, err)
			return client.Del(t.Context(), key).Err()
		}},
	} {
		t.Run(revoke.name, func(t *testing.T) {
			now := time.Now().UTC()
			s := contract.NewSessionFixture(t, uuid.NewString(), now)
			_, err := a.Create(t.Context(), s)
			require.NoError(t, err)
			warm(t, b, rb.tier, s.ID, now)
			require.NoError(t, revoke.do(s))
			requireEventually(t, func() bool {
				_, err := b.Validate(t.Context(), s.ID, now)
				return err != nil
			}, "b refuses the revoked session")
			_, err = b.Validate(t.Context(), s.ID, now)
			require.ErrorIs(t, err, domain.ErrSessionInvalid)
		})
	}
}

// Killing the tracking connection empties the tier and sends every validation to Redis
// until the connection is back.
func TestLocalSessions_InvalidationChannelLost(t *testing.T) {
	client, prefix := testenv.Redis(t)
	r, store, s, now := heldSession(t, client, keyspace.MustNew("", prefix))
	require.Equal(t, 1, r.tier.Stats().Entries)

	id := r.trackingConnID(t)
	require.NoError(t, client.ClientKillByFilter(t.Context(), "ID", strconv.FormatInt(id, 10)).Err())
	requireEventually(t, func() bool { return r.tier.Stats().Flushes > 0 }, "the tier is emptied when its channel drops")
	assert.Zero(t, r.tier.Stats().Entries)

	requireEventually(t, r.tier.IsUp, "the tracker reconnects")
	require.NotEqual(t, id, r.trackingConnID(t), "a new tracking connection")
	before := r.count.n.Load()
	_, err := store.Validate(t.Context(), s.ID, now)
	require.NoError(t, err)
	assert.Equal(t, before+1, r.count.n.Load(), "the first validation after the outage reads Redis")
}

// A token with no session behind it (never issued, or revoked) is refused after the one
// read that finds nothing: no second round trip to the validation script.
func TestLocalSessions_MissingSessionCostsOneRoundTrip(t *testing.T) {
	client, prefix := testenv.Redis(t)
	ks := keyspace.MustNew("", prefix)
	r, store, s, now := heldSession(t, client, ks)
	require.NoError(t, store.Delete(t.Context(), s.ID))

	for _, id := range []string{s.ID, contract.NewSessionFixture(t, "u1", now).ID} {
		before := r.count.n.Load()
		_, err := store.Validate(t.Context(), id, now)
		require.ErrorIs(t, err, domain.ErrSessionInvalid)
		assert.Equal(t, before+1, r.count.n.Load(), "one round trip")
	}
}

// Stop takes the tier out of use, emptied: with no watch left, nothing it holds could be
// kept coherent.
func TestTracker_StopTakesTheTierOutOfUse(t *testing.T) {
	client, prefix := testenv.Redis(t)
	tier, err := localtier.New("test", localtier.Config{MaxEntries: 10, MaxBytes: 1 << 10})
	require.NoError(t, err)
	tracker, err := redisstore.NewTracker(client, tier, nil, prefix)
	require.NoError(t, err)
	tracker.Start(t.Context())
	requireEventually(t, tier.IsUp, "the tier is put in use")
	require.True(t, tier.Fill(tier.Begin(prefix+"k"), "v", 1))

	require.NoError(t, tracker.Stop(t.Context()))
	assert.False(t, tier.IsUp(), "the tier is out of use")
	assert.Zero(t, tier.Stats().Entries, "and empty")
	_, held := tier.Get(prefix + "k")
	assert.False(t, held)
}

// A flush names no keys: the tier is emptied, and used again once the watch is back.
func TestTracker_FlushEmptiesTheTier(t *testing.T) {
	srv := redistopo.Standalone(t, redistopo.Options{})
	client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { _ = client.Close() })
	r, store, s, now := heldSession(t, client, keyspace.MustNew("test", ""))

	require.NoError(t, client.FlushAll(t.Context()).Err())
	requireEventually(t, func() bool { return r.tier.Stats().Flushes > 0 }, "the flush empties the tier")
	_, err := store.Validate(t.Context(), s.ID, now)
	require.ErrorIs(t, err, domain.ErrSessionInvalid, "the flushed session is gone")
	requireEventually(t, r.tier.IsUp, "the watch comes back")
}

// Sync returns after the invalidations Redis sent before it: a change made by another
// client is seen by the next read, with no waiting.
func TestTracker_SyncAppliesEarlierInvalidations(t *testing.T) {
	client, prefix := testenv.Redis(t)
	ks := keyspace.MustNew("", prefix)
	tier, err := localtier.New("test", localtier.Config{MaxEntries: 1000, MaxBytes: 1 << 20})
	require.NoError(t, err)
	tracker, err := redisstore.NewTracker(client, tier, nil, ks.SessionNamespace())
	require.NoError(t, err)
	require.NoError(t, tracker.Sync(t.Context()), "a tracker not started has nothing to wait for")
	tracker.Start(t.Context())
	t.Cleanup(func() { require.NoError(t, tracker.Stop(context.Background())) })
	requireEventually(t, tier.IsUp, "the tier is put in use")
	store := redisstore.NewLocalSessions(redisstore.NewSessionStore(client, ks, sessionTestPolicy, nil), tier)
	other := redisstore.NewSessionStore(client, ks, sessionTestPolicy, nil)

	for range 50 {
		now := time.Now().UTC()
		s := contract.NewSessionFixture(t, "u1", now)
		_, err := other.Create(t.Context(), s)
		require.NoError(t, err)
		require.NoError(t, tracker.Sync(t.Context()))
		warm(t, store, tier, s.ID, now)
		require.NoError(t, other.Delete(t.Context(), s.ID))
		require.NoError(t, tracker.Sync(t.Context()))
		_, err = store.Validate(t.Context(), s.ID, now)
		require.ErrorIs(t, err, domain.ErrSessionInvalid, "after Sync the deletion is seen at once")
	}
	require.NoError(t, store.Wait(t.Context()))
}

// A write-back drops the copy it made stale as soon as it ends, without waiting for
// Redis's invalidation: lastActivity is still rewritten at most once per resolution. The
// tier here has no tracker, so no invalidation ever arrives (the slowest case).
func TestLocalSessions_WriteBackDropsItsOwnCopy(t *testing.T) {
	client, prefix := testenv.Redis(t)
	ks := keyspace.MustNew("", prefix)
	tier, err := localtier.New("test", localtier.Config{MaxEntries: 10, MaxBytes: 1 << 20})
	require.NoError(t, err)
	tier.Up()
	store := redisstore.NewLocalSessions(redisstore.NewSessionStore(client, ks, sessionTestPolicy, nil), tier)
	base := time.Now().UTC()
	s := contract.NewSessionFixture(t, "u1", base)
	_, err = store.Create(t.Context(), s)
	require.NoError(t, err)

	var got *domain.Session
	for _, after := range []time.Duration{0, 61 * time.Second, 90 * time.Second} {
		got, err = store.Validate(t.Context(), s.ID, base.Add(after))
		require.NoError(t, err)
		require.NoError(t, store.Wait(t.Context()))
	}
	written := base.Add(61 * time.Second).UnixMilli()
	assert.Equal(t, written, got.LastActivity.UnixMilli(),
		"at 90 s the session is read afresh: its last write-back was at 61 s, within the resolution")
	stored, err := store.Get(t.Context(), s.ID)
	require.NoError(t, err)
	assert.Equal(t, written, stored.LastActivity.UnixMilli())
	assert.Equal(t, int64(1), tier.Stats().Hits, "only the validation at 61 s was served from the tier, not the copy its write-back made stale")
}
