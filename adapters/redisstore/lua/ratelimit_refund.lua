-- Gives back one event of a GCRA rate limit that go-redis/redis_rate recorded, for an
-- attempt that turned out not to count. It reads and writes the key exactly as
-- redis_rate's own script does: the theoretical arrival time (TAT) in seconds since
-- 2017-01-01 by the server's clock, expiring when the allowance has refilled.
--
-- KEYS[1]  the counter
-- ARGV[1]  rate, ARGV[2] period in seconds (the limit's emission interval is period/rate)
-- Returns 1 when an event was given back, 0 when nothing was recorded.
redis.replicate_commands()

local emission_interval = tonumber(ARGV[2]) / tonumber(ARGV[1])
local jan_1_2017 = 1483228800
local now = redis.call("TIME")
now = (now[1] - jan_1_2017) + (now[2] / 1000000)

local tat = tonumber(redis.call("GET", KEYS[1]))
if not tat or tat <= now then
  return 0
end
local new_tat = tat - emission_interval
if new_tat > now then
  redis.call("SET", KEYS[1], new_tat, "EX", math.ceil(new_tat - now))
else
  redis.call("DEL", KEYS[1])
end
return 1
