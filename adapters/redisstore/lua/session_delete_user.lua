-- Destroys every session of one user and the user's index atomically on a single-node
-- Redis.
--
-- KEYS[1]  the user's session index
-- ARGV[1]  session key namespace: a member's key is ARGV[1] .. member
--
-- Returns how many live sessions it destroyed.
local destroyed = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  destroyed = destroyed + redis.call('DEL', ARGV[1] .. member)
end
redis.call('DEL', KEYS[1])
return destroyed
