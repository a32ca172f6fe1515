-- The refresh rotation as one Redis script (EVALSHA chain:<n>): see redis.sh.
local cur = redis.call("GET", KEYS[1])
if not cur then return redis.error_reply("NO_CHAIN") end
local tkey = "rt:" .. cur
local t = redis.call("HMGET", tkey, "session", "status")
if not t[1] then return redis.error_reply("INVALID_REFRESH_TOKEN") end
local skey = "sess:" .. t[1]
if t[2] ~= "ACTIVE" then
  redis.call("HSET", skey, "status", "COMPROMISED")
  return redis.error_reply("REFRESH_TOKEN_REUSED")
end
if redis.call("HGET", skey, "status") ~= "ACTIVE" then return redis.error_reply("SESSION_NOT_ACTIVE") end
local time = redis.call("TIME")
local now = time[1] .. "." .. time[2]
local new = redis.sha1hex(cur .. now)
redis.call("HSET", "rt:" .. new, "session", t[1], "parent", cur, "status", "ACTIVE", "created", now)
redis.call("HSET", tkey, "status", "USED", "used", now)
redis.call("HSET", skey, "last_seen", now)
redis.call("SET", KEYS[1], new)
return 1
