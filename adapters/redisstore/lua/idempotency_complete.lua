-- Replaces a claim on an Idempotency-Key with the response of the request that held it,
-- when the claim is still that request's: a claim that expired, was released or was
-- taken by a retry since is left alone. The kept record carries the claim's
-- fingerprint, so that a retry with another body is still told apart.
--
-- KEYS[1]  the record key
-- ARGV[1]  the token of the claim
-- ARGV[2]  the response as JSON
-- ARGV[3]  the retention in milliseconds
--
-- Returns 1 when the response was kept, 0 when the claim was not the token's.
local current = redis.call('GET', KEYS[1])
if not current then
  return 0
end
local ok, claim = pcall(cjson.decode, current)
if not ok or type(claim) ~= 'table' or claim.resp ~= nil or claim.token ~= ARGV[1] then
  return 0
end
local record = '{"v":1,"fp":' .. cjson.encode(claim.fp) .. ',"resp":' .. ARGV[2] .. '}'
redis.call('SET', KEYS[1], record, 'PX', ARGV[3])
return 1
