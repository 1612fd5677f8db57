#!/usr/bin/env bash
# Builds the benchmarks module (a nested module: it needs the official SDK,
# which the library's go.mod must never gain) and runs every benchmark once so
# that they cannot rot. -short keeps the long-running ones quick (100k events
# instead of 1M, 100 streams instead of 1,000); BENCHMARKS.md has the full run.
set -euo pipefail
cd "$(dirname "$0")/.."
# The toolset benchmarks compare with ripgrep: install it when missing.
bash .ci/bench-tools.sh
# The self-hosted benchmarks of the root module: the runner's overhead per tool
# call and the worker's memory per item (BENCHMARKS.md, "Self-hosted").
go test -count 1 -run '^$' -bench . -benchtime 1x ./toolrunner/ ./worker/
cd benchmarks
go vet ./...
go test -count 1 -run . -short ./...
go test -count 1 -run '^$' -bench . -benchtime 1x -short ./...
