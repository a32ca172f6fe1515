#!/usr/bin/env bash
# PostgreSQL peer for authd's refresh benchmark.
#
# Starts a private PostgreSQL 15 (initdb into a temp dir, 127.0.0.1, random port,
# synchronous_commit=on, fsync=on), creates the seed-like schema (users, sessions,
# refresh_tokens with token_hash, session_id, parent_id, status) and runs pgbench
# with a custom script doing the seed's refresh transaction:
#   look up the token by its SHA-256 hash and its session; insert the new token
#   row (parent = old); mark the old one USED if still ACTIVE; touch the session's
#   last_seen_at.
# Every pgbench client rotates its own chain (its current token is kept in a
# pgbench variable between transactions), at 1, 8 and 64 clients.
#
# Usage: postgres.sh [SECONDS_PER_RUN (default 10)] [CLIENT_COUNTS (default "1 8 64")]
# Prints a table and one "RESULT peer=postgres clients=N tps=... avg_ms=..." line
# per run (for compare.sh). Stops only the server it started (by PID) and removes
# its temp dir. Installs postgresql from apt when missing.
set -euo pipefail

SECONDS_PER_RUN="${1:-10}"
CLIENTS="${2:-1 8 64}"
FILLER_USERS="${FILLER_USERS:-10000}"

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [[ -z "$(pg_bin)" || ! -x "$(pg_bin)/initdb" ]] || ! command -v pgbench >/dev/null; then
  echo "postgresql missing: installing from apt" >&2
  if [[ $(id -u) -eq 0 ]]; then apt-get update -qq && apt-get install -y -qq postgresql postgresql-contrib >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq postgresql postgresql-contrib >/dev/null; fi
fi
PGBIN="$(pg_bin)"
PGBENCH="$(command -v pgbench || echo "$PGBIN/pgbench")"

# Run server-side tools as a non-root user: PostgreSQL refuses to run as root.
as_owner() { "$@"; }
WORK="$(mktemp -d /tmp/authd-peer-pg.XXXXXX)"
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  chown postgres "$WORK"
  as_owner() { runuser -u postgres -- "$@"; }
fi
chmod 700 "$WORK"
DATA="$WORK/data"
PGPID=""

cleanup() {
  local rc=$?
  if [[ -n "$PGPID" ]] && kill -0 "$PGPID" 2>/dev/null; then
    kill -TERM "$PGPID" 2>/dev/null || true          # smart -> fast shutdown of OUR postmaster only
    for _ in $(seq 1 100); do kill -0 "$PGPID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$PGPID" 2>/dev/null && kill -KILL "$PGPID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT INT TERM

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"

as_owner "$PGBIN/initdb" -D "$DATA" -U bench --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_owner "$PGBIN/postgres" -D "$DATA" -p "$PORT" -k "$WORK" -c listen_addresses=127.0.0.1 \
  -c synchronous_commit=on -c fsync=on -c full_page_writes=on -c max_connections=200 \
  -c shared_buffers=128MB -c log_min_messages=warning >"$WORK/server.log" 2>&1 &
PGPID=$!
for _ in $(seq 1 100); do
  "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && break
  kill -0 "$PGPID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
PSQL=(psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U bench -d postgres)
MAXC=$(for c in $CLIENTS; do echo "$c"; done | sort -n | tail -1)

"${PSQL[@]}" <<SQL
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  email text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'ACTIVE',
  user_agent text,
  ip_address text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revoke_reason text
);
CREATE INDEX sessions_user_id_idx ON sessions(user_id);
CREATE TABLE refresh_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash text NOT NULL UNIQUE,
  session_id uuid NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  parent_id uuid REFERENCES refresh_tokens(id),
  status text NOT NULL DEFAULT 'ACTIVE',
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens(session_id);

-- Filler users/sessions/tokens so indexes are not trivially small, plus one chain
-- per pgbench client (client c starts with the token text 'tok-c-0').
INSERT INTO users (name, email, password_hash)
  SELECT 'User ' || g, 'user' || g || '@bench.example.com', '\$argon2id\$v=19\$m=19456,t=2,p=1\$x\$y'
  FROM generate_series(0, $FILLER_USERS + $MAXC - 1) g;
INSERT INTO sessions (user_id) SELECT id FROM users;
INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
  SELECT encode(sha256(convert_to('filler-' || s.id, 'UTF8')), 'hex'), s.id, now() + interval '7 days' FROM sessions s;
WITH client_sessions AS (
  SELECT s.id, row_number() OVER (ORDER BY u.email) - 1 AS c
  FROM sessions s JOIN users u ON u.id = s.user_id
  WHERE u.email IN (SELECT 'user' || g || '@bench.example.com' FROM generate_series($FILLER_USERS, $FILLER_USERS + $MAXC - 1) g)
)
INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
  SELECT encode(sha256(convert_to('tok-' || c || '-0', 'UTF8')), 'hex'), id, now() + interval '7 days' FROM client_sessions;
VACUUM ANALYZE;
SQL

cat >"$WORK/rotate.sql" <<'SQL'
\if :gen = 0
SELECT 'tok-' || :client_id::text || '-0' AS token \gset
\endif
\set gen :gen + 1
BEGIN;
SELECT t.id AS old_id, t.session_id AS sid, t.status AS old_status, 'tok-' || :client_id::text || '-' || :gen::text AS token
  FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
  WHERE t.token_hash = encode(sha256(convert_to(:token, 'UTF8')), 'hex') AND s.status = 'ACTIVE' \gset
INSERT INTO refresh_tokens (token_hash, session_id, parent_id, status, expires_at)
  VALUES (encode(sha256(convert_to(:token, 'UTF8')), 'hex'), :sid, :old_id, 'ACTIVE', now() + interval '7 days');
UPDATE refresh_tokens SET status = 'USED', used_at = now() WHERE id = :old_id AND status = 'ACTIVE';
UPDATE sessions SET last_seen_at = now() WHERE id = :sid;
COMMIT;
SQL

printf "%-10s %8s %12s %12s\n" "peer" "clients" "TPS" "avg ms"
for c in $CLIENTS; do
  threads=$(( c < 2 ? 1 : 2 ))
  # Each client's chain restarts from its first token; reset the chains first.
  "${PSQL[@]}" -c "DELETE FROM refresh_tokens WHERE parent_id IS NOT NULL; UPDATE refresh_tokens SET status='ACTIVE', used_at=NULL;" >/dev/null
  out="$("$PGBENCH" -n -M prepared -f "$WORK/rotate.sql" -D gen=0 -c "$c" -j "$threads" -T "$SECONDS_PER_RUN" \
          -h 127.0.0.1 -p "$PORT" -U bench postgres 2>&1)" || { echo "$out" >&2; exit 1; }
  tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | head -1)
  lat=$(echo "$out" | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p')
  failed=$(echo "$out" | sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p')
  printf "%-10s %8s %12s %12s\n" postgres "$c" "$tps" "$lat"
  echo "RESULT peer=postgres clients=$c tps=$tps avg_ms=$lat failed=${failed:-0} seconds=$SECONDS_PER_RUN"
done
# Sanity: every client's chain must have advanced (rotations really happened).
"${PSQL[@]}" -At -c "SELECT 'rotated tokens: ' || count(*) FROM refresh_tokens WHERE parent_id IS NOT NULL" >&2
