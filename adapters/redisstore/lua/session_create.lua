-- Creates a session in one atomic step on a single-node Redis: writes the session hash,
-- prunes the user's index of sessions that no longer exist, indexes the new one, evicts
-- the oldest others beyond the per-user limit and makes the index expire when its last
-- session would.
--
-- KEYS[1]   the session hash
-- KEYS[2]   the user's session index (sorted set: member = session id, score = createdAt)
-- ARGV[1]   session id
-- ARGV[2]   createdAt, unix ms (the index score)
-- ARGV[3]   the session's TTL, ms
-- ARGV[4]   sessions allowed per user; 0 = no limit
-- ARGV[5]   session key namespace: a member's key is ARGV[5] .. member
-- ARGV[6..] the hash's field/value pairs
--
-- Returns { the ids of the sessions it evicted, how many dead index entries it pruned }.
--
-- The members' session keys are derived from ARGV[5] rather than declared in KEYS: which
-- members exist is only known inside the script. Standalone Redis permits it; on Redis
-- Cluster the store never runs this script (see session_index.lua).
local session, index, id = KEYS[1], KEYS[2], ARGV[1]
local ttl, limit, namespace = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]

redis.call('HSET', session, unpack(ARGV, 6))
redis.call('PEXPIRE', session, ttl)

-- Prune dead members, remembering the remaining lifetime of the live ones.
local remaining, pruned = {}, 0
for _, member in ipairs(redis.call('ZRANGE', index, 0, -1)) do
  if member ~= id then
    local pttl = redis.call('PTTL', namespace .. member)
    if pttl == -2 then
      redis.call('ZREM', index, member)
      pruned = pruned + 1
    else
      remaining[member] = pttl
    end
  end
end
redis.call('ZADD', index, ARGV[2], id)

-- Evict the oldest sessions beyond the limit; the new one is never its own victim.
local evicted = {}
local excess = redis.call('ZCARD', index) - limit
if limit > 0 and excess > 0 then
  for _, member in ipairs(redis.call('ZRANGE', index, 0, excess)) do
    if member ~= id and #evicted < excess then
      evicted[#evicted + 1] = member
      redis.call('DEL', namespace .. member)
      redis.call('ZREM', index, member)
      remaining[member] = nil
    end
  end
end

-- The index lives exactly as long as its longest-lived session.
local expiry = ttl
for _, pttl in pairs(remaining) do
  if pttl > expiry then
    expiry = pttl
  end
end
redis.call('PEXPIRE', index, expiry)
return { evicted, pruned }
