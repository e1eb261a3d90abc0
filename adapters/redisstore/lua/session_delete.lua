-- Destroys one session and its index entry atomically on a single-node Redis.
--
-- KEYS[1]  the session hash
-- ARGV[1]  session id
-- ARGV[2]  user-index namespace (index key = ARGV[2] .. userId)
--
-- Returns 1 when the session existed, else 0.
local user = redis.call('HGET', KEYS[1], 'userId')
if not user then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', ARGV[2] .. user, ARGV[1])
return 1
