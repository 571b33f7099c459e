#!/usr/bin/env bash
# HTTP load test of `govsearch serve` with wrk, on the loopback interface only.
#
# Builds govsearch, starts `govsearch serve` on 127.0.0.1 with an index in a
# temporary directory, drives /api/search with the benchmark query set
# (bench/queries.txt, every class with its facets and highlights) for a
# bounded time, prints wrk's latency percentiles, errors and the server's
# memory, and stops the server. Installs wrk with apt-get when it is missing.
#
# Settings (environment):
#   CONNECTIONS=50    open connections
#   DURATION=60s      how long wrk runs (wrk syntax: 30s, 2m)
#   THREADS=2         wrk threads
#   TIMEOUT=5s        a request slower than this counts as a timeout error
#   PORT=18080        loopback port of the server
#   INDEX=            an existing index directory to serve (for example one
#                     kept by `govsearch-bench --work DIR`: DIR/national-ours);
#                     it is only read
#   CORPUS=           files or folders to index with `govsearch index` into a
#                     temporary index (e.g. ../shared/corpus/national)
#   With neither, the server indexes the embedded seeds on first start.
#   QUERIES=bench/queries.txt
#
# Example: CORPUS=../shared/corpus/national CONNECTIONS=50 DURATION=60s scripts/wrk.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-60s}
THREADS=${THREADS:-2}
TIMEOUT=${TIMEOUT:-5s}
PORT=${PORT:-18080}
CORPUS=${CORPUS:-}
INDEX=${INDEX:-}
QUERIES=${QUERIES:-bench/queries.txt}

die() { echo "wrk.sh: $*" >&2; exit 1; }

case "$CONNECTIONS" in ''|*[!0-9]*) die "CONNECTIONS must be a number, got '$CONNECTIONS'";; esac
case "$THREADS" in ''|*[!0-9]*) die "THREADS must be a number, got '$THREADS'";; esac
case "$PORT" in ''|*[!0-9]*) die "PORT must be a number, got '$PORT'";; esac
[[ "$DURATION" =~ ^[0-9]+[smh]?$ ]] || die "DURATION must look like 60s, 2m or 1h, got '$DURATION'"
[ "$THREADS" -le "$CONNECTIONS" ] || die "THREADS ($THREADS) must not exceed CONNECTIONS ($CONNECTIONS)"
[ -f "$QUERIES" ] || die "query file $QUERIES not found"

if ! command -v wrk >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || die "wrk is missing and apt-get is not available: install wrk"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "== installing wrk"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi

WORK=$(mktemp -d -t govsearch-wrk-XXXXXX)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

echo "== building govsearch"
go build -o "$WORK/govsearch" ./cmd/govsearch

[ -z "$INDEX" ] || [ -z "$CORPUS" ] || die "set INDEX or CORPUS, not both"
SERVE_INDEX="$WORK/index"
if [ -n "$INDEX" ]; then
  [ -f "$INDEX/CURRENT" ] || die "INDEX=$INDEX holds no govsearch index (no CURRENT file)"
  SERVE_INDEX=$INDEX
elif [ -n "$CORPUS" ]; then
  "$WORK/govsearch" index -h >/dev/null 2>&1 || die "this govsearch has no 'index' command to index CORPUS"
  echo "== indexing $CORPUS"
  # shellcheck disable=SC2086  # CORPUS may name several paths
  "$WORK/govsearch" index --index "$WORK/index" $CORPUS
fi

# url-encodes $1 byte by byte.
urlencode() {
  local LC_ALL=C s=$1 out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case "$c" in
      [a-zA-Z0-9.~_-]) out+=$c ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s' "$out"
}

# One request path per query of the query set; the class decides facets and
# highlights as in `govsearch-bench`.
PATHS="$WORK/paths.txt"
: >"$PATHS"
while IFS= read -r line || [ -n "$line" ]; do
  line="${line#"${line%%[![:space:]]*}"}"
  [ -z "$line" ] && continue
  [ "${line:0:1}" = "#" ] && continue
  class=${line%%[[:space:]]*}
  query=${line#"$class"}
  query="${query#"${query%%[![:space:]]*}"}"
  case "$class" in
    term|multi|filtered) extra="&facets=&highlight=false" ;;
    faceted) extra="&highlight=false" ;;
    highlighted) extra="&facets=" ;;
    full) extra="" ;;
    *) die "$QUERIES: unknown class '$class'" ;;
  esac
  echo "/api/search?size=10&q=$(urlencode "$query")$extra" >>"$PATHS"
done <"$QUERIES"
[ -s "$PATHS" ] || die "$QUERIES holds no queries"

echo "== starting govsearch serve on 127.0.0.1:$PORT"
"$WORK/govsearch" serve --index "$SERVE_INDEX" --seed --addr "127.0.0.1:$PORT" >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVER_PID=$!
for _ in $(seq 1 600); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/readyz" 2>/dev/null; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; die "the server exited"; }
  sleep 0.1
done
curl -fsS -o /dev/null "http://127.0.0.1:$PORT/readyz" || die "the server did not become ready in 60 s"
while IFS= read -r p; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$p")
  [ "$code" = 200 ] || die "warm-up request $p answered $code"
done <"$PATHS"

echo "== wrk: $THREADS threads, $CONNECTIONS connections, $DURATION, $(wc -l <"$PATHS") query paths"
PATHS_FILE="$PATHS" wrk --latency -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --timeout "$TIMEOUT" \
  -s scripts/wrk_queries.lua "http://127.0.0.1:$PORT"

echo "== server memory"
grep -E '^(VmHWM|VmRSS)' "/proc/$SERVER_PID/status" || true
errors=$(grep -c '"level":"ERROR"' "$WORK/serve.log" || true)
echo "server log errors: $errors"
