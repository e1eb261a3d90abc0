-- Indexes a session under its user on Redis Cluster, where the session hash lives in
-- another hash slot and has already been written by the caller. It touches only the
-- index key, so it is valid in any slot layout.
--
-- KEYS[1]   the user's session index (sorted set: member = session id, score = createdAt)
-- ARGV[1]   session id
-- ARGV[2]   createdAt, unix ms (the index score)
-- ARGV[3]   time until the session's absolute expiry, ms
-- ARGV[4]   sessions allowed per user; 0 = no limit
-- ARGV[5..] ids of members the caller found dead (their session key is gone for good)
--
-- Returns the victims: the oldest members beyond the limit, the new one excepted. They are
-- NOT removed here: the caller deletes their session keys first and removes them from
-- the index after, so a failure in between leaves a dangling entry (pruned later) and
-- never a live session that the index, and so the limit and logout-all, cannot see.
local index, id = KEYS[1], ARGV[1]
local lifetime, limit = tonumber(ARGV[3]), tonumber(ARGV[4])

for i = 5, #ARGV do
  redis.call('ZREM', index, ARGV[i])
end
redis.call('ZADD', index, ARGV[2], id)

-- Sessions cannot be extended past their absolute expiry, so an index that outlives its
-- newest member's absolute expiry outlives every member. -1 means "no TTL yet".
local pttl = redis.call('PTTL', index)
if pttl < lifetime then
  redis.call('PEXPIRE', index, lifetime)
end

local victims = {}
local excess = redis.call('ZCARD', index) - limit
if limit > 0 and excess > 0 then
  for _, member in ipairs(redis.call('ZRANGE', index, 0, excess)) do
    if member ~= id and #victims < excess then
      victims[#victims + 1] = member
    end
  end
end
return victims
