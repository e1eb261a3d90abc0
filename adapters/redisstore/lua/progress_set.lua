-- Writes the cached copy of one card's progress unless the key already holds a newer
-- version: write-throughs that follow two commits may arrive out of order, and a read
-- that populates the cache may race a review's write-through. An equal version is
-- rewritten (a retried write-through refreshes the TTL); a value that does not decode
-- is replaced.
--
-- KEYS[1]  the progress key
-- ARGV[1]  the progress as JSON, with a numeric "version" field
-- ARGV[2]  that version
-- ARGV[3]  TTL in milliseconds
--
-- Returns 1 when written, 0 when a newer version was kept.
local current = redis.call('GET', KEYS[1])
if current then
  local ok, stored = pcall(cjson.decode, current)
  if ok and type(stored) == 'table' and type(stored.version) == 'number'
      and stored.version > tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1
