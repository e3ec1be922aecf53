#!/usr/bin/env bash
# Map tests open the generated HTML in real headless Chromium (Selenium + chromedriver), and the
# maps inline Leaflet & plugins from npm packages (package.json / package-lock.json at the repo
# root, installed into node_modules/, never committed). Idempotent: installs only what is missing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
cd "$(dirname "$0")/../.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
chromium --version >/dev/null 2>&1
# Chromium's French strings: its own controls (file button, date field) in the pages the web
# tests drive and photograph for the French guides. Best effort: no test depends on them.
if [ ! -f /usr/lib/chromium/locales/fr.pak ]; then
    apt-get install -y -qq --no-install-recommends chromium-l10n >/dev/null \
        || echo "chromium-l10n indisponible : captures d'écran avec les contrôles de Chromium en anglais" >&2
fi
chromedriver --version >/dev/null 2>&1

# npm ci reinstalls from the lockfile; skip it when node_modules already matches the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
fi
test -f node_modules/leaflet/dist/leaflet.js
