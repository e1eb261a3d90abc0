package keys

import (
	"context"
	"maps"
	"slices"
)

// crossCheckSessions compares the scanned sessions with their users' indexes: an index
// entry whose session is gone is dangling; a session its owner's index does not list is
// outside it.
func (s *sweep) crossCheckSessions(ctx context.Context) error {
	indexed := map[string]map[string]bool{}
	for _, userID := range sortedKeys(s.indexes) {
		index := s.indexes[userID]
		members, err := s.h.inventory.IndexMembers(ctx, index.Role, index.Key)
		if err != nil {
			return err
		}
		indexed[userID] = map[string]bool{}
		for _, m := range members {
			indexed[userID][m] = true
			if _, ok := s.sessions[m]; !ok {
				s.items = append(s.items, Item{Reason: ReasonDanglingIndexEntry, Role: index.Role, Key: index.Key, Member: m})
			}
		}
	}
	return s.checkOwners(ctx, indexed)
}

// checkOwners flags each session its owner's index does not list, reading the owners in
// batches.
func (s *sweep) checkOwners(ctx context.Context, indexed map[string]map[string]bool) error {
	ids := sortedKeys(s.sessions)
	for part := range chunks(ids, DefaultBatch) {
		byRole := map[string][]string{}
		for _, id := range part {
			byRole[s.sessions[id].Role] = append(byRole[s.sessions[id].Role], id)
		}
		for role, ids := range byRole {
			keys := make([]string, len(ids))
			for n, id := range ids {
				keys[n] = s.sessions[id].Key
			}
			owners, err := s.h.inventory.SessionOwners(ctx, role, keys)
			if err != nil {
				return err
			}
			for n, owner := range owners {
				outside, err := s.outsideIndex(ctx, indexed, role, owner, ids[n])
				if err != nil {
					return err
				}
				if outside {
					s.items = append(s.items, Item{Reason: ReasonSessionOutsideIndex, Role: role, Key: keys[n]})
				}
			}
		}
	}
	return nil
}

// outsideIndex reports whether session id of owner ("" when gone) is missing from the
// owner's index. A session of an owner the database no longer has (their index or
// another key of theirs was judged deleted-user during the scan) is outside: their index
// goes with the same cleanup, and the session must not outlive it. An index the scan did
// not see (the owner's first session may have been created while it ran: a session is
// written before it is indexed) is read now, so a session created meanwhile is never
// taken for an orphan.
func (s *sweep) outsideIndex(ctx context.Context, indexed map[string]map[string]bool, role, owner, id string) (bool, error) {
	if owner == "" {
		return false, nil
	}
	if exists, known := s.users[owner]; known && !exists {
		return true, nil
	}
	if _, seen := indexed[owner]; !seen {
		members, err := s.h.inventory.SessionIndexMembers(ctx, role, owner)
		if err != nil {
			return false, err
		}
		indexed[owner] = map[string]bool{}
		for _, m := range members {
			indexed[owner][m] = true
		}
	}
	return !indexed[owner][id], nil
}

// sortedKeys returns m's keys in order, so that the cleanup reads in a stable order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
