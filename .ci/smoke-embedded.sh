#!/usr/bin/env bash
# Starts the API as `npm start` does with no DATABASE_URL / REDIS_URL (PGlite + in-process cache),
# waits for /readyz, then registers, logs in and reads the profile.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${SMOKE_PORT:-3917}"
BASE="http://127.0.0.1:$PORT"
DATA_DIR="$(mktemp -d)"
LOG="$(mktemp)"

env -u DATABASE_URL -u REDIS_URL PORT="$PORT" DATA_DIR="$DATA_DIR/pglite" LOG_LEVEL=warn npm start >"$LOG" 2>&1 &
PID=$!
stop() {
  kill -TERM "$PID" 2>/dev/null || true
  # npm forwards the signal to node; give it the shutdown window, then make sure.
  for _ in $(seq 1 20); do kill -0 "$PID" 2>/dev/null || break; sleep 0.5; done
  pkill -TERM -P "$PID" 2>/dev/null || true
  rm -rf "$DATA_DIR" "$LOG"
}
trap stop EXIT

for _ in $(seq 1 120); do
  curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { cat "$LOG"; echo "the server exited"; exit 1; }
  sleep 0.5
done
curl -fsS "$BASE/readyz" || { cat "$LOG"; exit 1; }
echo

EMAIL="smoke-$RANDOM$RANDOM@example.com"
curl -fsS -X POST "$BASE/api/v1/users" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"smoke test password\",\"name\":\"Smoke\"}" >/dev/null
TOKEN="$(curl -fsS -X POST "$BASE/api/v1/auth/login" \
  --data-urlencode "username=$EMAIL" --data-urlencode 'password=smoke test password' \
  | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token')"
ME="$(curl -fsS "$BASE/api/v1/users/me" -H "Authorization: Bearer $TOKEN")"
echo "$ME" | node -e '
  const me = JSON.parse(require("fs").readFileSync(0, "utf8"));
  if (me.email !== process.argv[1]) { console.error("unexpected profile", me); process.exit(1); }
  console.log("embedded smoke: register + login + getMe OK for", me.email);
' "$EMAIL"
