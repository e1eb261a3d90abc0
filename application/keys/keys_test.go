package keys_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/application/keys"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
	"github.com/studytool/studytool/ports"
)

// scanning makes inventory's Scan hand found to fn in one batch.
func scanning(inventory *mocks.KeyInventory, found ...ports.StoredKey) {
	inventory.EXPECT().Scan(mock.Anything, mock.Anything).RunAndReturn(
		func(_ context.Context, fn func([]ports.StoredKey) error) error { return fn(found) })
}

func TestCleanup_JudgesEachKeyOnce(t *testing.T) {
	t.Parallel()
	inventory, users, decks := mocks.NewKeyInventory(t), mocks.NewUserRepo(t), mocks.NewDeckRepo(t)
	scanning(inventory,
		ports.StoredKey{Role: "cache", Key: "p:cache:f:v1:x", Family: ports.KeyCache, TTL: -1},
		ports.StoredKey{Role: "cache", Key: "p:cache:f:v1:y", Family: ports.KeyCache, TTL: time.Minute},
		ports.StoredKey{Role: "cache", Key: "p:progress:gone:c1", Family: ports.KeyProgress, UserID: "gone", CardID: "c1", TTL: time.Minute},
		ports.StoredKey{Role: "cache", Key: "p:progress:gone:c2", Family: ports.KeyProgress, UserID: "gone", CardID: "c2", TTL: time.Minute},
		ports.StoredKey{Role: "cache", Key: "p:progress:u1:c1", Family: ports.KeyProgress, UserID: "u1", CardID: "c1", TTL: time.Minute},
		ports.StoredKey{Role: "state", Key: "p:odd", Family: ports.KeyUnknown, TTL: -1},
	)
	users.EXPECT().GetByID(mock.Anything, "gone").Return(nil, domain.ErrNotFound).Once()
	users.EXPECT().GetByID(mock.Anything, "u1").Return(&domain.User{ID: "u1"}, nil).Once()
	decks.EXPECT().GetCard(mock.Anything, "u1", "c1").Return(nil, domain.ErrNotFound).Once()
	h := keys.NewCleanupHandler(inventory, users, decks, mocks.NewStudySessionStore(t))

	got, err := h.Handle(t.Context(), keys.Cleanup{Rate: 1, Batch: 1}, nil)
	require.NoError(t, err)
	assert.False(t, got.Applied)
	assert.Equal(t, []keys.Item{
		{Reason: keys.ReasonDeletedCard, Role: "cache", Key: "p:progress:u1:c1"},
		{Reason: keys.ReasonDeletedUser, Role: "cache", Key: "p:progress:gone:c1"},
		{Reason: keys.ReasonDeletedUser, Role: "cache", Key: "p:progress:gone:c2"},
		{Reason: keys.ReasonNoTTL, Role: "cache", Key: "p:cache:f:v1:x"},
	}, got.Items, "sorted by reason, then key; the unknown key only with Unknown")
}

func TestCleanup_ApplyUnlinksInBatches(t *testing.T) {
	t.Parallel()
	inventory := mocks.NewKeyInventory(t)
	var found []ports.StoredKey
	for _, k := range []string{"p:cache:a", "p:cache:b", "p:cache:c"} {
		found = append(found, ports.StoredKey{Role: "cache", Key: k, Family: ports.KeyCache, TTL: -1})
	}
	scanning(inventory, found...)
	inventory.EXPECT().Unlink(mock.Anything, "cache", []string{"p:cache:a", "p:cache:b"}).Return(2, nil).Once()
	inventory.EXPECT().Unlink(mock.Anything, "cache", []string{"p:cache:c"}).Return(1, nil).Once()
	h := keys.NewCleanupHandler(inventory, mocks.NewUserRepo(t), mocks.NewDeckRepo(t), mocks.NewStudySessionStore(t))

	got, err := h.Handle(t.Context(), keys.Cleanup{Apply: true, Rate: 1000, Batch: 2}, nil)
	require.NoError(t, err)
	assert.True(t, got.Applied)
	assert.Len(t, got.Items, 3)
}

func TestCleanup_RefusesANonPositiveRate(t *testing.T) {
	t.Parallel()
	h := keys.NewCleanupHandler(mocks.NewKeyInventory(t), mocks.NewUserRepo(t), mocks.NewDeckRepo(t), mocks.NewStudySessionStore(t))
	_, err := h.Handle(t.Context(), keys.Cleanup{Rate: 0, Batch: 1}, nil)
	var invalid *domain.ValidationError
	require.ErrorAs(t, err, &invalid)
}

func TestReport_GroupsCountsAndExtrapolates(t *testing.T) {
	t.Parallel()
	inventory := mocks.NewKeyInventory(t)
	var found []ports.StoredKey
	for i := range keys.SamplePerGroup + 50 {
		ttl := time.Minute
		if i == 0 {
			ttl = -1
		}
		found = append(found, ports.StoredKey{Role: "state", Key: "p:session:" + string(rune('a'+i%26)) + string(rune('0'+i/26)),
			Family: ports.KeySession, Pattern: "p:session:*", TTL: ttl})
	}
	scanning(inventory, found...)
	inventory.EXPECT().MemoryUsage(mock.Anything, "state", mock.Anything).RunAndReturn(
		func(_ context.Context, _ string, sample []string) ([]int64, error) {
			bytes := make([]int64, len(sample))
			for i := range bytes {
				bytes[i] = 10
			}
			return bytes, nil
		})
	got, err := keys.NewReportHandler(inventory).Handle(t.Context(), nil)
	require.NoError(t, err)
	assert.Equal(t, &keys.Report{Keys: 150, Groups: []keys.Group{{
		Role: "state", Family: ports.KeySession, Pattern: "p:session:*", Keys: 150,
		SampledKeys: 100, SampledBytes: 1000, EstimatedBytes: 1500, NoTTL: 1,
	}}}, got)
}

// TestCleanup_SessionCreatedDuringTheScanIsNotAnOrphan: a user's first session may be
// written after the scan passed the index's slot and indexed before the cross-check; its
// owner's index, unseen by the scan, is read before the session is judged outside it.
func TestCleanup_SessionCreatedDuringTheScanIsNotAnOrphan(t *testing.T) {
	t.Parallel()
	inventory := mocks.NewKeyInventory(t)
	scanning(inventory,
		ports.StoredKey{Role: "state", Key: "p:session:new", Family: ports.KeySession, ID: "new", TTL: time.Hour},
		ports.StoredKey{Role: "state", Key: "p:session:lost", Family: ports.KeySession, ID: "lost", TTL: time.Hour},
	)
	inventory.EXPECT().SessionOwners(mock.Anything, "state", []string{"p:session:lost", "p:session:new"}).
		Return([]string{"u2", "u1"}, nil).Once()
	inventory.EXPECT().SessionIndexMembers(mock.Anything, "state", "u1").Return([]string{"new"}, nil).Once()
	inventory.EXPECT().SessionIndexMembers(mock.Anything, "state", "u2").Return(nil, nil).Once()
	h := keys.NewCleanupHandler(inventory, mocks.NewUserRepo(t), mocks.NewDeckRepo(t), mocks.NewStudySessionStore(t))

	got, err := h.Handle(t.Context(), keys.Cleanup{Rate: 1, Batch: 1}, nil)
	require.NoError(t, err)
	assert.Equal(t, []keys.Item{{Reason: keys.ReasonSessionOutsideIndex, Role: "state", Key: "p:session:lost"}}, got.Items,
		"only the session its owner's index does not list, read after the scan")
}

// TestCleanup_SessionOfADeletedUserGoesWithTheirIndex: the index of a user the database
// no longer has is deleted-user; their session, which the index still lists, is listed
// in the same run, not left behind for the next one.
func TestCleanup_SessionOfADeletedUserGoesWithTheirIndex(t *testing.T) {
	t.Parallel()
	inventory, users := mocks.NewKeyInventory(t), mocks.NewUserRepo(t)
	scanning(inventory,
		ports.StoredKey{Role: "state", Key: "p:user:sessions:gone", Family: ports.KeyUserSessions, UserID: "gone", TTL: time.Hour},
		ports.StoredKey{Role: "state", Key: "p:session:s1", Family: ports.KeySession, ID: "s1", TTL: time.Hour},
	)
	users.EXPECT().GetByID(mock.Anything, "gone").Return(nil, domain.ErrNotFound).Once()
	inventory.EXPECT().SessionOwners(mock.Anything, "state", []string{"p:session:s1"}).Return([]string{"gone"}, nil).Once()
	h := keys.NewCleanupHandler(inventory, users, mocks.NewDeckRepo(t), mocks.NewStudySessionStore(t))

	got, err := h.Handle(t.Context(), keys.Cleanup{Rate: 1, Batch: 1}, nil)
	require.NoError(t, err)
	assert.Equal(t, []keys.Item{
		{Reason: keys.ReasonDeletedUser, Role: "state", Key: "p:user:sessions:gone"},
		{Reason: keys.ReasonSessionOutsideIndex, Role: "state", Key: "p:session:s1"},
	}, got.Items)
}
