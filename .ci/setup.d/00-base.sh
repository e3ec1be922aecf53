#!/usr/bin/env bash
# System packages every other step relies on.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
