#!/usr/bin/env bash
# Load and soak test of `govsearch serve` on the loopback interface.
#
# 1. Load: wrk with CONNECTIONS (50) connections for LOAD (60s) against a
#    mix of searches (with facets and highlights), trends and report lists,
#    sent with the search key. Prints wrk's latency percentiles and errors.
# 2. Soak: wrk with SOAK_CONNECTIONS (10) connections for SOAK (600 s)
#    while the server's /metrics is sampled every INTERVAL (10 s): goroutines,
#    resident memory and Go heap in use. At the end the first and last fifth
#    of the samples are compared; the script fails if goroutines grew by more
#    than 20 or resident memory by more than 30 %.
#
# Settings (environment):
#   CONNECTIONS=50  LOAD=60s  SOAK_CONNECTIONS=10  SOAK=600 (0: load only)
#   INTERVAL=10
#   THREADS=2       PORT=18090
#   CORPUS=         files or folders to index first (default: the embedded
#                   seeds, which `govsearch serve` indexes on first start)
#   OUT=            directory for the samples and logs (default: a temp dir)
#
# Example: SOAK=600 scripts/soak.sh ; LOAD=10s SOAK=60 scripts/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-50}
LOAD=${LOAD:-60s}
SOAK_CONNECTIONS=${SOAK_CONNECTIONS:-10}
SOAK=${SOAK:-600}
INTERVAL=${INTERVAL:-10}
THREADS=${THREADS:-2}
PORT=${PORT:-18090}
CORPUS=${CORPUS:-}
OUT=${OUT:-$(mktemp -d -t govsearch-soak-XXXXXX)}

die() { echo "soak.sh: $*" >&2; exit 1; }
for v in CONNECTIONS SOAK_CONNECTIONS SOAK INTERVAL THREADS PORT; do
  case "${!v}" in ''|*[!0-9]*) die "$v must be a whole number, got '${!v}'";; esac
done
[[ "$LOAD" =~ ^[0-9]+[smh]?$ ]] || die "LOAD must look like 60s or 2m, got '$LOAD'"
[ "$INTERVAL" -gt 0 ] || die "INTERVAL must be positive"
command -v wrk >/dev/null 2>&1 || die "wrk is missing: apt-get install wrk"
command -v curl >/dev/null 2>&1 || die "curl is missing"

mkdir -p "$OUT"
BIN="$OUT/govsearch"
INDEX="$OUT/index"
KEY="soak-search-key-$RANDOM$RANDOM"
BASE="http://127.0.0.1:$PORT"

echo "== building govsearch into $OUT"
go build -o "$BIN" ./cmd/govsearch
if [ -n "$CORPUS" ]; then
  echo "== indexing $CORPUS"
  # shellcheck disable=SC2086
  "$BIN" index --index "$INDEX" $CORPUS
fi

echo "== starting govsearch serve on 127.0.0.1:$PORT"
GOVSEARCH_SEARCH_KEY="$KEY" "$BIN" serve --index "$INDEX" --seed --addr "127.0.0.1:$PORT" \
  >"$OUT/serve.out" 2>"$OUT/serve.log" &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 600); do
  curl -sf "$BASE/readyz" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || die "the server exited: $(tail -3 "$OUT/serve.log")"
  sleep 0.2
done
curl -sf "$BASE/readyz" >/dev/null || die "the server did not become ready"
# /api/analyze waits for the segmentation dictionary, which otherwise loads
# in the background during the first seconds of the load.
curl -sf -H "Authorization: Bearer $KEY" "$BASE/api/analyze?text=%E4%B8%80%E7%BD%91%E9%80%9A%E5%8A%9E" >/dev/null || die "warm-up analyze failed"
curl -sf -H "Authorization: Bearer $KEY" "$BASE/api/search?q=%E7%BB%8F%E6%B5%8E" >/dev/null || die "warm-up search failed"

# The request mix: URL-encoded policy terms, ordinary words and a filter.
cat >"$OUT/mix.lua" <<EOF
local key = "$KEY"
local queries = {
  "%E4%B8%80%E7%BD%91%E9%80%9A%E5%8A%9E", "%E6%94%BE%E7%AE%A1%E6%9C%8D", "%E4%BA%94%E8%BF%9D%E5%9B%9B%E5%BF%85",
  "%E4%B8%A4%E6%97%A7%E4%B8%80%E6%9D%91", "PM2.5", "12345%E7%83%AD%E7%BA%BF", "%E8%90%A5%E5%95%86%E7%8E%AF%E5%A2%83",
  "%E7%BB%8F%E6%B5%8E", "%E4%BA%BA%E6%B0%91+%E7%94%9F%E6%B4%BB", "%E5%9F%8E%E5%B8%82%E6%9B%B4%E6%96%B0+OR+%E6%97%A7%E5%8C%BA%E6%94%B9%E9%80%A0",
  "%E5%8C%BB%E7%96%97+region%3A%E5%BE%90%E6%B1%87%E5%8C%BA",
}
local headers = { ["Authorization"] = "Bearer " .. key }
math.randomseed(os.time())
request = function()
  local q = queries[math.random(#queries)]
  local r = math.random(100)
  local path
  if r <= 80 then
    path = "/api/search?highlight=true&q=" .. q
  elseif r <= 95 then
    path = "/api/trend?q=" .. q
  else
    path = "/api/reports"
  end
  return wrk.format("GET", path, headers)
end
EOF

# errors prints wrk's error lines, which it leaves out when there are none.
errors() {
  if grep -E "Non-2xx|Socket errors" "$1"; then return 0; fi
  echo "errors: 0 (no non-2xx responses, no socket errors)"
}
metric() { awk -v name="$1" '$1 == name { printf "%.0f", $2; exit }' "$OUT/metrics.txt"; }
sample() {
  curl -sf "$BASE/metrics" >"$OUT/metrics.txt" || { echo "metrics unavailable"; return 1; }
  printf "%s %s %s %s\n" "$(date +%s)" "$(metric go_goroutines)" \
    "$(metric process_resident_memory_bytes)" "$(metric go_memstats_heap_inuse_bytes)"
}

echo "== load: $CONNECTIONS connections, $THREADS threads, $LOAD"
sample | awk '{ printf "before: %d goroutines, %.1f MB RSS\n", $2, $3/1048576 }'
wrk -t "$THREADS" -c "$CONNECTIONS" -d "$LOAD" --timeout 5s --latency -s "$OUT/mix.lua" "$BASE" | tee "$OUT/load.txt"
errors "$OUT/load.txt"
sample | awk '{ printf "after: %d goroutines, %.1f MB RSS\n", $2, $3/1048576 }'

if [ "$SOAK" = 0 ]; then echo "== no soak (SOAK=0)"; exit 0; fi
echo "== soak: $SOAK_CONNECTIONS connections for $SOAK s, sampling every $INTERVAL s"
wrk -t "$THREADS" -c "$SOAK_CONNECTIONS" -d "${SOAK}s" --timeout 5s --latency -s "$OUT/mix.lua" "$BASE" >"$OUT/soak-wrk.txt" &
WRK=$!
: >"$OUT/samples.txt"
printf "%8s %10s %10s %10s\n" seconds goroutines rss_MB heap_MB
start=$(date +%s)
while kill -0 "$WRK" 2>/dev/null; do
  if line=$(sample); then
    echo "$line" >>"$OUT/samples.txt"
    echo "$line" | awk -v s="$start" '{ printf "%8d %10d %10.1f %10.1f\n", $1 - s, $2, $3/1048576, $4/1048576 }'
  fi
  sleep "$INTERVAL"
done
wait "$WRK" || die "wrk failed: $(tail -3 "$OUT/soak-wrk.txt")"
cat "$OUT/soak-wrk.txt"
errors "$OUT/soak-wrk.txt"

kill -0 "$SERVER" 2>/dev/null || die "the server died during the soak: $(tail -3 "$OUT/serve.log")"
if grep -q '"msg":"panic"' "$OUT/serve.log"; then die "the server log shows a panic"; fi

# Compare the first and the last fifth of the samples (the first sample is
# skipped: the heap is still growing to its working size).
awk -v out="$OUT" '
  { t[NR] = $1; g[NR] = $2; r[NR] = $3 }
  END {
    n = NR - 1
    if (n < 5) { print "too few samples to judge (" NR "); run longer"; exit 0 }
    k = int(n / 5); if (k < 1) k = 1
    for (i = 2; i < 2 + k; i++) { g1 += g[i]; r1 += r[i] }
    for (i = NR - k + 1; i <= NR; i++) { g2 += g[i]; r2 += r[i] }
    g1 /= k; g2 /= k; r1 /= k; r2 /= k
    printf "soak summary: goroutines %.0f -> %.0f, RSS %.1f MB -> %.1f MB (%+.1f%%) over %d s\n",
      g1, g2, r1 / 1048576, r2 / 1048576, 100 * (r2 - r1) / r1, t[NR] - t[1]
    if (g2 > g1 + 20) { print "FAIL: goroutines grew"; exit 1 }
    if (r2 > r1 * 1.3) { print "FAIL: resident memory grew by more than 30%"; exit 1 }
    print "flat: OK"
  }' "$OUT/samples.txt"
echo "== samples and logs in $OUT"
