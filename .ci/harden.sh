#!/usr/bin/env bash
# Hardening checks beyond `go test -race ./...` (which already runs every fuzz
# target over its seed corpus in testdata/fuzz/): the chaos soak, the soak of
# queued copies and slow backfills (100,000 events) and the rate budget under
# load again with -v, so that their fault and request counts show in the CI
# log, then a short fuzzing run of each fuzz target.
#
#   FUZZTIME=10s (default) fuzzes each target that long; FUZZTIME=0 skips fuzzing.
#   A failing input is written to testdata/fuzz/<Target>/ and fails the script:
#   commit it with the fix, it then runs with every go test.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10s}

echo "-- chaos soak, queued copies and slow backfills soak, rate budget under load (-race -v)"
go test -race -count=1 -run '^(TestChaosSoak|TestQueuedCopiesAndSlowBackfillsSoak|TestRateBudgetUnderLoad)$' -v . | grep -E '^(=== RUN|--- |\s+\S+_test\.go:[0-9]+: )|^(ok|FAIL)'

if [ "$FUZZTIME" = "0" ]; then
	exit 0
fi
targets=(
	". FuzzDecodeEvent"
	". FuzzDecodeEventFastMatchesPlain"
	". FuzzDecodeResources"
	". FuzzSSEFrames"
	". FuzzEventStream"
	". FuzzDecodeErrorBody"
	". FuzzErrorFromResponse"
	"./internal/transport FuzzParseRetryAfter"
	"./internal/cron FuzzNextAgainstBruteForce"
	"./internal/skillarchive FuzzUnpack"
	"./internal/skillmd FuzzParse"
	"./agenttoolset FuzzPrefilter"
	"./agenttoolset FuzzLineMatcher"
	"./agenttoolset FuzzGlobMatch"
	"./managedagentstest FuzzLayoutJSON"
	"./webhooks FuzzDecodeEvent"
	"./webhooks FuzzVerify"
)
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	echo "-- fuzz $name ($pkg) for $FUZZTIME"
	go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -parallel 2 2>&1 | tail -n 3
done
