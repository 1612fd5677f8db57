#!/usr/bin/env bash
# Tests of the nested module ratelimit/redisrate against a real redis-server.
# The tests start their own server on a free loopback port (or use REDIS_ADDR);
# this script only makes sure the binary is installed.
set -euo pipefail

cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1; then
	echo "redis-test: installing redis-server"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# Should the package start its own service on port 6379, the tests leave it be.
	apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi
redis-server --version

cd ratelimit/redisrate
go vet ./...
go test -race -count=1 ./...
