package main_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
)

// reportGroup and cleanupItem are what `keys report --json` and `keys cleanup --json`
// print.
type (
	reportGroup struct {
		Role, Family, Pattern string
		Keys, EstimatedBytes  int64
		SampledKeys           int
		NoTTL                 int64 `json:"noTTL"`
	}
	cleanupItem struct{ Reason, Role, Key, Member string }
)

// TestKeysCommands_Postgres_Redis runs `keys report` on a populated app (logins, a study
// session, progress and cached reads), plants one orphan of each kind the cleanup looks
// for, and checks that the dry run lists exactly those, changing nothing, and that
// --apply removes exactly those and nothing else.
func TestKeysCommands_Postgres_Redis(t *testing.T) {
	bin := apptest.BuildStudytool(t)
	a := apptest.Start(t, apptest.Real, map[string]string{"MAX_SESSIONS_PER_USER": "10"})
	keysCmd := func(args ...string) apptest.Run {
		t.Helper()
		return apptest.RunStudytool(t, bin, a.Environ, append([]string{"keys"}, args...)...)
	}
	user := populate(t, a)

	run := keysCmd("report", "--json")
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	checkReport(t, a.Prefix, run.Stdout)
	run = keysCmd("report")
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	assert.Contains(t, run.Stdout, a.Prefix+"session:*")

	planted := plant(t, a, user)
	before := scanKeys(t, a)
	run = keysCmd("cleanup", "--json")
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	var dry struct {
		Applied bool
		Items   []cleanupItem
	}
	require.NoError(t, json.Unmarshal([]byte(run.Stdout), &dry))
	assert.False(t, dry.Applied)
	assert.ElementsMatch(t, planted, dry.Items)
	// The app may fill a cache entry meanwhile: what was there must still be.
	assert.Subset(t, scanKeys(t, a), before, "a dry run deletes nothing")

	run = keysCmd("cleanup", "--apply", "--rate", "50")
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	assert.Contains(t, run.Stdout, "removed 5 items")
	want := slices.DeleteFunc(slices.Clone(before), func(k string) bool {
		return slices.ContainsFunc(planted, func(it cleanupItem) bool { return it.Member == "" && it.Key == k })
	})
	after := scanKeys(t, a)
	assert.Subset(t, after, want, "every key but the planted ones stays")
	for _, it := range planted[1:] {
		assert.NotContains(t, after, it.Key, "planted (%s)", it.Reason)
	}
	index := planted[0].Key
	members, err := a.Redis.ZRange(t.Context(), index, 0, -1).Result()
	require.NoError(t, err)
	assert.NotContains(t, members, planted[0].Member, "the dangling entry is gone")
	assert.Len(t, members, 2, "the live sessions stay indexed")

	run = keysCmd("cleanup", "--rate", "0")
	assert.Equal(t, 2, run.ExitCode, "a rate of 0 is a usage error: %s", run.Output)
}

// populate registers a user, logs in twice, studies a card of a new deck, reads
// progress and cached resources, and leaves a second study session open; it returns the
// user's id.
func populate(t *testing.T, a *apptest.App) string {
	t.Helper()
	const email = "keys.report@example.com"
	c := a.Client()
	user := c.Register(email)
	c.Token = c.Login(email).Token
	c.Login(email)
	res := c.Do(http.MethodPost, "/v1/decks", map[string]string{"name": "Keys"})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var deck struct{ ID string }
	res.JSON(t, &deck)
	res = c.Do(http.MethodPost, "/v1/decks/"+deck.ID+"/cards", map[string]any{"cards": []map[string]string{{"front": "q", "back": "a"}}})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var added struct{ Cards []struct{ ID string } }
	res.JSON(t, &added)
	res = c.Do(http.MethodPost, "/v1/study/sessions", map[string]any{"deckId": deck.ID, "maxCards": 1})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var session struct{ ID string }
	res.JSON(t, &session)
	res = c.Do(http.MethodPost, "/v1/study/sessions/"+session.ID+"/reviews", map[string]any{"cardId": added.Cards[0].ID, "grade": 4, "durationMs": 1000})
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
	for _, path := range []string{"/v1/progress/" + added.Cards[0].ID, "/v1/me", "/v1/me", "/v1/decks", "/v1/decks/" + deck.ID} {
		res = c.Do(http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, res.StatusCode, "GET %s: %s", path, res.Body)
	}
	res = c.Do(http.MethodPost, "/v1/study/sessions", map[string]any{"deckId": deck.ID, "maxCards": 1})
	require.Equal(t, http.StatusCreated, res.StatusCode, "an open study session: %s", res.Body)
	return user.ID
}

// checkReport checks the report's grouping of populate's keys.
func checkReport(t *testing.T, prefix, stdout string) {
	t.Helper()
	var report struct {
		Groups []reportGroup
		Keys   int64
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &report))
	byPattern := map[string]reportGroup{}
	var sum int64
	for _, g := range report.Groups {
		byPattern[g.Pattern] = g
		sum += g.Keys
		assert.Zero(t, g.NoTTL, "every key of %s has a TTL", g.Pattern)
		assert.Positive(t, g.EstimatedBytes, "%s is weighed", g.Pattern)
	}
	assert.Equal(t, report.Keys, sum)
	for pattern, want := range map[string]struct {
		role, family string
		keys         int64
	}{
		prefix + "session:*":          {"state", "session", 2},
		prefix + "user:sessions:*":    {"state", "user-sessions", 1},
		prefix + "study:sessions:*:*": {"state", "study-session", 2},
		prefix + "study:sessions:*":   {"state", "study-session-index", 1},
		prefix + "progress:*:*":       {"cache", "progress", 1},
	} {
		g, ok := byPattern[pattern]
		if assert.True(t, ok, "a group %s in %s", pattern, stdout) {
			assert.Equal(t, want.role, g.Role, pattern)
			assert.Equal(t, want.family, g.Family, pattern)
			assert.Equal(t, want.keys, g.Keys, pattern)
		}
	}
	var cached int64
	for _, g := range report.Groups {
		if g.Family == "cache" {
			assert.Equal(t, "cache", g.Role)
			cached += g.Keys
		}
	}
	assert.Positive(t, cached, "the cached reads are grouped per feature: %s", stdout)
}

// plant makes one orphan of each kind and returns the items the cleanup must list, the
// dangling index entry first.
func plant(t *testing.T, a *apptest.App, userID string) []cleanupItem {
	t.Helper()
	ctx, p := t.Context(), a.Prefix
	index := p + "user:sessions:" + userID
	a.Client().Login("keys.report@example.com")
	members, err := a.Redis.ZRange(ctx, index, -1, -1).Result() // the newest session
	require.NoError(t, err)
	require.NoError(t, a.Redis.ZRem(ctx, index, members[0]).Err())

	study := plantStudySessionOfDeletedDeck(ctx, t, a, userID)
	progress := p + "progress:" + userID + ":" + uuid.NewString()
	require.NoError(t, a.Redis.Set(ctx, progress, "{}", time.Hour).Err())
	cache := p + "cache:planted:v1:no-ttl"
	require.NoError(t, a.Redis.Set(ctx, cache, "x", 0).Err())
	// Last: a login prunes the index of entries whose session is gone.
	dangling := randomHex(t)
	require.NoError(t, a.Redis.ZAdd(ctx, index, redis.Z{Score: float64(time.Now().UnixMilli()), Member: dangling}).Err())
	return []cleanupItem{
		{Reason: "dangling-index-entry", Role: "state", Key: index, Member: dangling},
		{Reason: "session-outside-index", Role: "state", Key: p + "session:" + members[0]},
		{Reason: "deleted-card", Role: "cache", Key: progress},
		{Reason: "deleted-deck", Role: "state", Key: study},
		{Reason: "no-ttl", Role: "cache", Key: cache},
	}
}

// plantStudySessionOfDeletedDeck starts a study session on a new deck, deletes the deck
// (which ends its sessions) and restores the session key as it was: a session that
// outlived its deck, as a crash between the two steps leaves it.
func plantStudySessionOfDeletedDeck(ctx context.Context, t *testing.T, a *apptest.App, userID string) string {
	t.Helper()
	c := a.Client()
	c.Token = c.Login("keys.report@example.com").Token
	res := c.Do(http.MethodPost, "/v1/decks", map[string]string{"name": "Doomed"})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var deck struct{ ID string }
	res.JSON(t, &deck)
	res = c.Do(http.MethodPost, "/v1/decks/"+deck.ID+"/cards", map[string]any{"cards": []map[string]string{{"front": "q", "back": "a"}}})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	res = c.Do(http.MethodPost, "/v1/study/sessions", map[string]any{"deckId": deck.ID, "maxCards": 1})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var session struct{ ID string }
	res.JSON(t, &session)
	key := a.Prefix + "study:sessions:" + userID + ":" + session.ID
	dump, err := a.Redis.Dump(ctx, key).Result()
	require.NoError(t, err)
	res = c.Do(http.MethodDelete, "/v1/decks/"+deck.ID, nil)
	require.Equal(t, http.StatusNoContent, res.StatusCode, "body: %s", res.Body)
	require.NoError(t, a.Redis.RestoreReplace(ctx, key, time.Hour, dump).Err())
	res = c.Do(http.MethodPost, "/v1/auth/logout", nil)
	require.Equal(t, http.StatusNoContent, res.StatusCode, "body: %s", res.Body)
	return key
}

// scanKeys returns every key under the app's prefix, sorted, but the rate-limit
// counters, whose short windows may end while the test runs.
func scanKeys(t *testing.T, a *apptest.App) []string {
	t.Helper()
	var keys []string
	iter := a.Redis.Scan(t.Context(), 0, a.Prefix+"*", 1000).Iterator()
	for iter.Next(t.Context()) {
		if !strings.HasPrefix(iter.Val(), a.Prefix+"ratelimit:") {
			keys = append(keys, iter.Val())
		}
	}
	require.NoError(t, iter.Err())
	slices.Sort(keys)
	return keys
}

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}
