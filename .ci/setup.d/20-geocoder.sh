#!/usr/bin/env bash
# Geocoder tests run a real Redis (private unix socket) behind addok: install redis-server.
# The Debian package's own service is not needed; tests start their own instance.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v redis-server >/dev/null 2>&1; then
    apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi
redis-server --version >/dev/null
