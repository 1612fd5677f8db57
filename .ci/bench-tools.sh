#!/usr/bin/env bash
# Installs what the toolset benchmarks compare against: ripgrep (rg), from
# Debian, when it is not on PATH already. The benchmarks skip the rg variant
# when it is missing; this script makes sure it is not.
set -euo pipefail
if command -v rg >/dev/null 2>&1; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
	sudo=sudo
else
	sudo=
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq ripgrep >/dev/null
rg --version | head -n 1
