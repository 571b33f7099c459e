#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: installs the headless
# browser the UI tests drive when it is missing, then vet, the test suite
# (again with the shared corpora hidden, as in a fresh clone; race detector
# on the concurrent packages) and a short run of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-10s}

# Chromium drives the browser tests; the CJK fonts make their screenshots
# show Chinese instead of boxes.
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
# OpenCC's data lets the test check that the committed trad→simp table is current.
command -v opencc_dict >/dev/null 2>&1 || missing+=(opencc)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "== installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "== ${missing[*]} missing and cannot be installed here: the tests that need them will skip"
  fi
fi

# axe-core (injected into the pages by web/ui's TestAxe); its install script is not needed.
axedir=${XDG_CACHE_HOME:-$HOME/.cache}/govsearch-axe
if [ ! -f "$axedir/node_modules/axe-core/axe.min.js" ] && command -v npm >/dev/null 2>&1; then
  echo "== installing axe-core into $axedir"
  npm install --ignore-scripts --no-audit --no-fund --silent --prefix "$axedir" axe-core@4 || echo "   (axe-core not installed: TestAxe will skip)"
fi

echo "== go vet"
go vet ./...

echo "== go test"
go test -count=1 -timeout 30m ./...

echo "== go test without the shared corpora (GOVSEARCH_SHARED an empty folder, as in a fresh clone)"
noshared=$(mktemp -d)
trap 'rm -rf "$noshared"' EXIT
GOVSEARCH_SHARED=$noshared go test -count=1 -timeout 30m ./...

echo "== go test -race (concurrent packages)"
go test -count=1 -race -timeout 30m ./analyzer/ ./index/ ./web/
go test -count=1 -race -timeout 30m -run TestConcurrentSearchIngestRebuild ./reliability/

echo "== fuzz (${FUZZTIME} per target)"
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "-- $pkg $target"
    # When the time runs out while the engine is still minimising a new
    # interesting input (or a worker is still building FuzzSearch's index),
    # `go test` fails with "context deadline exceeded" without any failing
    # input. Only a failing input (written to testdata/fuzz) or any other
    # error fails the run.
    if ! out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 2s "$pkg" 2>&1); then
      echo "$out"
      if grep -q 'context deadline exceeded' <<<"$out" && ! grep -q 'Failing input written' <<<"$out"; then
        echo "   (the fuzzing engine ran out of time while minimising or starting a worker; no failing input)"
      else
        exit 1
      fi
    else
      echo "$out" | tail -1
    fi
  done
done
echo "== all tests passed"
