#!/usr/bin/env bash
# Builds the benchmarks module (a nested module: it needs the official SDK,
# which the library's go.mod must never gain) and runs every benchmark once so
# that they cannot rot. -short keeps the long-running ones quick (100k events
# instead of 1M, 100 streams instead of 1,000); BENCHMARKS.md has the full run.
set -euo pipefail
cd "$(dirname "$0")/../benchmarks"
go vet ./...
go test -count 1 -run . -short ./...
go test -count 1 -run '^$' -bench . -benchtime 1x -short ./...
# The library's 1 GiB file upload and download: fails if the heap reaches 32 MiB
# (FILES_BENCHMARKS.md).
(cd .. && go test -count 1 -run '^$' -bench '^BenchmarkFileTransfer1GiB$' -benchtime 1x .)
