-- Validates a session and refreshes its rolling expiry in one round trip.
--
-- KEYS[1]  the session hash
-- ARGV[1]  session id
-- ARGV[2]  now, unix ms (the caller's clock: TTLs are set relative to it, so a skewed or
--          fake clock never makes a key expire early or late)
-- ARGV[3]  idle timeout, ms
-- ARGV[4]  activity resolution, ms: lastActivity and expiresAt are rewritten only when
--          the stored lastActivity is at least this old
-- ARGV[5]  user-index namespace (index key = ARGV[5] .. userId), or '' to leave the index
--          alone: on Redis Cluster it lives in another slot
--
-- Returns nil for a missing or expired session, else { hash field/value pairs, the new
-- expiresAt in unix ms }.
local session, id, now = KEYS[1], ARGV[1], tonumber(ARGV[2])
local idle, resolution, indexNamespace = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]

local fields = redis.call('HGETALL', session)
if #fields == 0 then
  return nil
end
local values = {}
for i = 1, #fields, 2 do
  values[fields[i]] = fields[i + 1]
end

local absolute = tonumber(values.absoluteExpiresAt)
if absolute == nil or now >= absolute then
  redis.call('DEL', session)
  if indexNamespace ~= '' and values.userId then
    redis.call('ZREM', indexNamespace .. values.userId, id)
  end
  return nil
end

local expiry = math.min(now + idle, absolute)
local ttl = expiry - now
redis.call('PEXPIRE', session, ttl)

local expiryText = string.format('%d', expiry)
if now - (tonumber(values.lastActivity) or 0) >= resolution then
  redis.call('HSET', session, 'lastActivity', ARGV[2], 'expiresAt', expiryText)
  for i = 1, #fields, 2 do
    if fields[i] == 'lastActivity' then
      fields[i + 1] = ARGV[2]
    elseif fields[i] == 'expiresAt' then
      fields[i + 1] = expiryText
    end
  end
end

-- Keep the index alive as long as this session. An index without TTL is left alone.
if indexNamespace ~= '' and values.userId then
  local index = indexNamespace .. values.userId
  local pttl = redis.call('PTTL', index)
  if pttl >= 0 and pttl < ttl then
    redis.call('PEXPIRE', index, ttl)
  end
end
return { fields, expiryText }
