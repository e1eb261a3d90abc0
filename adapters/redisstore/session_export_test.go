package redisstore

import (
	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// NewSlotSafeSessionStore returns a store that takes the Redis Cluster path whatever the
// client, so the tests can run that path on a standalone server.
func NewSlotSafeSessionStore(client redis.UniversalClient, ks keyspace.Keyspace, policy domain.SessionPolicy, observer ports.SessionObserver) *SessionStore {
	s := NewSessionStore(client, ks, policy, observer)
	s.atomic = false
	return s
}
