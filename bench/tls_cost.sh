#!/usr/bin/env bash
# The cost of HTTPS (docs/benchmarks.md, "HTTPS"): single-record POSTs
# (bench/post_single.lua) and 500-record batches (bench/post_ndjson.lua) over
# keep-alive connections, plain HTTP and TLS to the same gamelake server (its TLS
# listener and the plain one beside it, server.plain_listen), and nginx answering
# `return 204` over plain and TLS as the baseline — all in one run, with a
# certificate this script makes (EC P-256, as Let's Encrypt issues by default).
# Not part of the tests; 127.0.0.1 only; temp dirs removed at exit.
#
#   bench/tls_cost.sh            (CONNS="32 256" BATCH_CONNS=8 SECONDS_EACH=10 ROUNDS=2)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${GL_BIN:-build/gamelake}"
conns="${CONNS:-32 256}" batch_conns="${BATCH_CONNS:-8}" secs="${SECONDS_EACH:-10}"
rounds="${ROUNDS:-2}"
[ -x "$BIN" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
WORK=$(mktemp -d /tmp/gamelake-tls-XXXXXX)
GL_PID=""
cleanup() {
  [ -n "$GL_PID" ] && kill -9 "$GL_PID" 2>/dev/null || true
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/key.pem" \
  -out "$WORK/cert.pem" -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 2>/dev/null
cat >"$WORK/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err warn;
daemon on;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_max_body_size 16m;
  ssl_protocols TLSv1.2 TLSv1.3;
  server {
    listen 127.0.0.1:18090;
    listen 127.0.0.1:18453 ssl;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
    location / { return 204; }
  }
}
CONF
wrk_rps() {  # wrk_rps CONNS URL SCRIPT -> requests/s
  timeout $((secs + 30)) wrk -t2 -c"$1" -d"${secs}s" -s "$3" "$2" | awk '/Requests\/sec/ {print $2}'
}
echo "machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ), $(openssl version)"
for round in $(seq "$rounds"); do
  nginx -c "$WORK/nginx.conf" -p "$WORK" 2>/dev/null
  sleep 0.5
  for c in $conns; do
    echo "round=$round nginx single c=$c plain=$(wrk_rps "$c" http://127.0.0.1:18090/ bench/post_single.lua)" \
      "tls=$(wrk_rps "$c" https://127.0.0.1:18453/ bench/post_single.lua)"
  done
  echo "round=$round nginx batch c=$batch_conns plain=$(wrk_rps "$batch_conns" http://127.0.0.1:18090/ bench/post_ndjson.lua)" \
    "tls=$(wrk_rps "$batch_conns" https://127.0.0.1:18453/ bench/post_ndjson.lua)"
  kill "$(cat "$WORK/nginx.pid")"
  sleep 0.5
  rm -rf "$WORK/data"
  "$BIN" serve --data-dir "$WORK/data" --listen 127.0.0.1:18454 --set auth.enabled=false \
    --set server.tls_cert_file="$WORK/cert.pem" --set server.tls_key_file="$WORK/key.pem" \
    --set server.plain_listen=127.0.0.1:18091 >"$WORK/server.log" 2>&1 &
  GL_PID=$!
  for _ in $(seq 200); do curl -sf http://127.0.0.1:18091/v1/health >/dev/null && break; sleep 0.05; done
  for c in $conns; do
    echo "round=$round gamelake single c=$c plain=$(wrk_rps "$c" http://127.0.0.1:18091 bench/post_single.lua)" \
      "tls=$(wrk_rps "$c" https://127.0.0.1:18454 bench/post_single.lua)"
  done
  echo "round=$round gamelake batch c=$batch_conns plain=$(wrk_rps "$batch_conns" http://127.0.0.1:18091 bench/post_ndjson.lua)" \
    "tls=$(wrk_rps "$batch_conns" https://127.0.0.1:18454 bench/post_ndjson.lua)"
  kill -TERM "$GL_PID"
  wait "$GL_PID" || true
  GL_PID=""
done
