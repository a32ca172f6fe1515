-- Seeds ARGV[1] refresh chains (chain:<n> -> token hash, rt:<hash>, sess:<id>): see redis.sh.
for n = 0, tonumber(ARGV[1]) - 1 do
  local id = string.format("%012d", n)
  local h = redis.sha1hex("tok-" .. id)
  redis.call("HSET", "sess:" .. id, "status", "ACTIVE", "user", "u" .. id, "last_seen", "0")
  redis.call("HSET", "rt:" .. h, "session", id, "status", "ACTIVE", "created", "0")
  redis.call("SET", "chain:" .. id, h)
end
return tonumber(ARGV[1])
