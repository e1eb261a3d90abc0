-- Releases a lock only while it is still the caller's: a lock whose lease ran out and
-- that another holder took since stays theirs.
--
-- KEYS[1]  the lock key
-- ARGV[1]  the caller's token
--
-- Returns 1 when the lock was released, 0 otherwise.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
