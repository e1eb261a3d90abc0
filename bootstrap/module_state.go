package bootstrap

import (
	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/application/statebackup"
	"github.com/studytool/studytool/ports"
)

// StateBackupModule provides the operators' backup and restore of the state Redis role
// (`studytool state`). It needs RedisModule: the in-memory state lives in the server
// process and has nothing to back up.
var StateBackupModule = fx.Module("statebackup",
	fx.Provide(
		func(c RedisClients, ks keyspace.Keyspace) ports.StateKeyStore {
			return redisstore.NewStateKeyStore(c.State, ks)
		},
		statebackup.NewHandler,
	),
)
