-- Frees an Idempotency-Key whose claim is still the token's, so that a retry runs the
-- request again; a completed response, or a claim that is now another request's, stays.
--
-- KEYS[1]  the record key
-- ARGV[1]  the token of the claim
--
-- Returns 1 when the key was freed, 0 otherwise.
local current = redis.call('GET', KEYS[1])
if not current then
  return 0
end
local ok, claim = pcall(cjson.decode, current)
if not ok or type(claim) ~= 'table' or claim.resp ~= nil or claim.token ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
return 1
