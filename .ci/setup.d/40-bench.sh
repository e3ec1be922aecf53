#!/usr/bin/env bash
# bench/bench_web.py drives `zoning serve` with wrk, a load generator in C: a Python client
# spends more CPU per request than the server on these two cores and would measure itself.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
command -v wrk >/dev/null 2>&1 || apt-get install -y -qq --no-install-recommends wrk >/dev/null
