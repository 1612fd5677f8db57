#!/usr/bin/env bash
# Runs the library's own benchmarks once (the toolset against ripgrep, the
# self-hosted runner and worker, the thousand-stream recovery in process and,
# when redis-server is installed, shared through Redis), then builds the
# benchmarks module (a nested module: it needs the official SDK, which the
# library's go.mod must never gain) and runs every benchmark once so that they
# cannot rot. -short keeps the long-running ones quick (100k events instead of
# 1M, 100 streams instead of 1,000); BENCHMARKS.md has the full run.
set -euo pipefail
cd "$(dirname "$0")/.."
# The toolset benchmarks compare with ripgrep: install it when missing.
bash .ci/bench-tools.sh
# The self-hosted benchmarks of the root module: the runner's overhead per tool
# call and the worker's memory per item (BENCHMARKS.md, "Self-hosted").
go test -count 1 -run '^$' -bench . -benchtime 1x ./toolrunner/ ./worker/
# The library's own: 1,000 streams cut at once recover under the read budget
# (on the herd's clock, so one run takes a few seconds).
go test -count 1 -run '^$' -bench '^BenchmarkThousandStreamsRecovery$' -benchtime 1x .
# The same across three processes sharing the budget in Redis (about 20 s; it
# needs redis-server, which .ci/redis-test.sh installs).
if command -v redis-server >/dev/null 2>&1; then
	(cd ratelimit/redisrate && go test -count 1 -run '^$' -bench '^BenchmarkThousandStreamsShareOneBudget$' -benchtime 1x .)
fi
cd benchmarks
go vet ./...
go test -count 1 -run . -short ./...
go test -count 1 -run '^$' -bench . -benchtime 1x -short ./...
# The library's 1 GiB file upload and download: fails if the heap reaches 32 MiB
# (BENCHMARKS.md, "Files").
(cd .. && go test -count 1 -run '^$' -bench '^BenchmarkFileTransfer1GiB$' -benchtime 1x .)
