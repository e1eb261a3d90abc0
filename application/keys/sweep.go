package keys

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/ports"
)

// sweep is one cleanup's state: the items found so far, the sessions and session
// indexes to cross-check after the scan, and what the database answered.
type sweep struct {
	h       *CleanupHandler
	unknown bool
	items   []Item
	// sessions maps a session id to its key; indexes maps a user id to their index key.
	sessions map[string]ports.StoredKey
	indexes  map[string]ports.StoredKey
	users    map[string]bool
	decks    map[[2]string]bool
	cards    map[[2]string]bool
}

func newSweep(h *CleanupHandler, unknown bool) *sweep {
	return &sweep{
		h: h, unknown: unknown,
		sessions: map[string]ports.StoredKey{}, indexes: map[string]ports.StoredKey{},
		users: map[string]bool{}, decks: map[[2]string]bool{}, cards: map[[2]string]bool{},
	}
}

// judgeBatch adds the batch's orphans to the items and keeps its sessions and session
// indexes for crossCheckSessions.
func (s *sweep) judgeBatch(ctx context.Context, batch []ports.StoredKey) error {
	for _, k := range batch {
		reason, err := s.judge(ctx, k)
		if err != nil {
			return err
		}
		if reason != "" {
			s.items = append(s.items, Item{Reason: reason, Role: k.Role, Key: k.Key})
			continue
		}
		switch k.Family {
		case ports.KeySession:
			s.sessions[k.ID] = k
		case ports.KeyUserSessions:
			s.indexes[k.UserID] = k
		}
	}
	return nil
}

// judge returns why k is an orphan, or "" when it is not (as far as one key tells).
func (s *sweep) judge(ctx context.Context, k ports.StoredKey) (Reason, error) {
	switch {
	case k.Family == ports.KeyUnknown:
		if s.unknown {
			return ReasonUnknown, nil
		}
		return "", nil
	case k.TTL < 0:
		return ReasonNoTTL, nil
	case k.UserID == "":
		return "", nil
	}
	exists, err := s.userExists(ctx, k.UserID)
	if err != nil || !exists {
		return ReasonDeletedUser, err
	}
	switch k.Family {
	case ports.KeyProgress:
		return s.judgeProgress(ctx, k)
	case ports.KeyStudySession:
		return s.judgeStudySession(ctx, k)
	}
	return "", nil
}

// judgeProgress flags a progress copy of a card that no longer exists.
func (s *sweep) judgeProgress(ctx context.Context, k ports.StoredKey) (Reason, error) {
	id := [2]string{k.UserID, k.CardID}
	exists, ok := s.cards[id]
	if !ok {
		_, err := s.h.decks.GetCard(ctx, k.UserID, k.CardID)
		if err != nil && !isNotFound(err) {
			return "", fmt.Errorf("card %s: %w", k.CardID, err)
		}
		exists = err == nil
		s.cards[id] = exists
	}
	if !exists {
		return ReasonDeletedCard, nil
	}
	return "", nil
}

// judgeStudySession flags a study session whose deck no longer exists.
func (s *sweep) judgeStudySession(ctx context.Context, k ports.StoredKey) (Reason, error) {
	session, err := s.h.study.Get(ctx, k.UserID, k.ID)
	if isNotFound(err) {
		return "", nil // expired meanwhile
	}
	if err != nil {
		return "", fmt.Errorf("study session %s: %w", k.ID, err)
	}
	id := [2]string{k.UserID, session.DeckID}
	exists, ok := s.decks[id]
	if !ok {
		_, err := s.h.decks.GetDeck(ctx, k.UserID, session.DeckID)
		if err != nil && !isNotFound(err) {
			return "", fmt.Errorf("deck %s: %w", session.DeckID, err)
		}
		exists = err == nil
		s.decks[id] = exists
	}
	if !exists {
		return ReasonDeletedDeck, nil
	}
	return "", nil
}

// userExists asks the database once per user.
func (s *sweep) userExists(ctx context.Context, userID string) (bool, error) {
	if exists, ok := s.users[userID]; ok {
		return exists, nil
	}
	_, err := s.h.users.GetByID(ctx, userID)
	if err != nil && !isNotFound(err) {
		return false, fmt.Errorf("user %s: %w", userID, err)
	}
	s.users[userID] = err == nil
	return err == nil, nil
}
