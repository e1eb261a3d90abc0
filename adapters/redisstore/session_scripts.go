package redisstore

import (
	_ "embed" // the session scripts are embedded from lua/

	"github.com/redis/go-redis/v9"
)

// The session store's server-side scripts. Script.Run sends EVALSHA and falls back to
// EVAL only when the server does not have the script cached yet.
var (
	//go:embed lua/session_create.lua
	sessionCreateSource string
	//go:embed lua/session_index.lua
	sessionIndexSource string
	//go:embed lua/session_validate.lua
	sessionValidateSource string
	//go:embed lua/session_delete.lua
	sessionDeleteSource string
	//go:embed lua/session_delete_user.lua
	sessionDeleteUserSource string

	sessionCreateScript     = redis.NewScript(sessionCreateSource)
	sessionIndexScript      = redis.NewScript(sessionIndexSource)
	sessionValidateScript   = redis.NewScript(sessionValidateSource)
	sessionDeleteScript     = redis.NewScript(sessionDeleteSource)
	sessionDeleteUserScript = redis.NewScript(sessionDeleteUserSource)
)
