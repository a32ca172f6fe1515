-- wrk script: authd's durable refresh rotation, each answer's refresh token carried into a
-- later request, so wrk (C, one thread) can drive `POST /v1/auth/tokens/refresh` the way
-- redis-benchmark drives the Redis peer.
--
-- Usage: WRK_REFRESH_TOKENS=FILE wrk -t1 -c64 -d5s -s Benchmarks/wrk-refresh.lua URL
-- FILE holds one refresh token per line, at least as many as connections (one per session).
-- wrk asks for the next request of a connection only after that connection's answer was
-- handed to response(), so the pool never runs dry while every answer carries a new token.
-- The tokens of requests still in flight when wrk stops are lost, so give each run fresh
-- sessions (twice as many as connections). On exit the count of answers that carried no new
-- token is printed ("refresh failures: N"); the caller must treat N > 0 as a failed run.
-- Run with -t1: every wrk thread reads the whole FILE into its own Lua state, so two threads
-- would present the same tokens and authd would (rightly) see replays.

local pool, head, tail = {}, 1, 0
failures = 0

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("WRK_REFRESH_TOKENS")) do
    if #line > 0 then
      tail = tail + 1
      pool[tail] = line
    end
  end
end

function request()
  local token = pool[head]
  if token == nil then
    error("wrk-refresh.lua: no refresh token left (every session failed)")
  end
  pool[head] = nil
  head = head + 1
  return wrk.format("POST", "/v1/auth/tokens/refresh", { ["Content-Type"] = "application/json" },
                    '{"refreshToken":"' .. token .. '"}')
end

function response(status, headers, body)
  local token = status == 200 and body:match('"refreshToken":"([^"]+)"') or nil
  if token then
    tail = tail + 1
    pool[tail] = token
  else
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
  end
  io.write(string.format("refresh failures: %d\n", failed))
end
