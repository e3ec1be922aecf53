#!/usr/bin/env bash
# Smoke test of the wheel as a user gets it: build the sdist and the wheel, install the wheel
# into a fresh virtualenv outside the repository, and run the commands of the README from a
# folder outside it, with no node_modules in reach:
#   zoning data build (on the fixture set tests/data/sources), zoning check, zoning batch on the
#   sample candidates, zoning map coverage (then opened in headless Chromium with the network
#   cut off, and drawn), zoning serve (pages, API and assets from the wheel).
# Usage: bash .ci/smoke-wheel.sh [python]   (python: the one to build with; default .venv's)
# Needs: the `build` module in that python, node_modules/ (npm ci) or npm, Chromium + selenium.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PY="${1:-$REPO/.venv/bin/python}"
# tasks.sh passes a path relative to the repository; the script works from other folders.
PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/zoning-wheel-smoke.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
log() { printf '\n== smoke: %s\n' "$*" >&2; }
fail() { printf 'smoke test FAILED: %s\n' "$*" >&2; exit 1; }

log "python -m build (sdist, then the wheel from the sdist) into $WORK/dist"
# --no-isolation: the build backend comes from the lock (installed in that python), not from
# whatever the index serves today.
"$PY" -m build --no-isolation --outdir "$WORK/dist" "$REPO" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; fail "build"; }
if grep -iE "deprecat|warning" "$WORK/build.log"; then fail "the build printed a warning"; fi
wheel="$(ls "$WORK"/dist/zoning-*.whl)"
ls -l "$WORK/dist" >&2

log "fresh virtualenv outside the repository: the locked dependencies, then the wheel"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --require-hashes --no-deps -r "$REPO/requirements.lock"
"$WORK/venv/bin/pip" install -q --no-deps "$wheel"
# The wheel's own requirements (its ranges) must hold for the locked versions.
"$WORK/venv/bin/pip" check || fail "pip check: the wheel's requirements do not hold on the lock"
ZONING="$WORK/venv/bin/zoning"

# A user's folder: nothing of the checkout in reach (no node_modules, no data/).
mkdir -p "$WORK/user"
cd "$WORK/user"
cp -r "$REPO/tests/data/sources" "$WORK/sources"
cp "$REPO/data/examples/candidats_exemple.csv" .
export ZONING_STORE="$WORK/store" ZONING_SOURCES="$WORK/sources" ZONING_CACHE="$WORK/cache"
export ZONING_RULES="$WORK/rules"
unset ZONING_DATA ZONING_NODE_MODULES ZONING_SOURCES_TEST
case "$("$WORK/venv/bin/python" -c 'import zoning; print(zoning.__file__)')" in
  "$WORK/venv/"*) ;;
  *) fail "zoning is not imported from the fresh virtualenv" ;;
esac

log "zoning --help in French under LANG=C: click's catalogue (zoning/cli/click.fr.po) is in the wheel"
LANG=C LC_ALL=C "$ZONING" --help >"$WORK/help.txt"
head -3 "$WORK/help.txt"
grep -q "Affiche ce message et quitte." "$WORK/help.txt" || fail "zoning --help: click's words not in French"

log "zoning data build --sources (fixture set)"
# The fixture set is an excerpt of the pinned sources: its files differ from the manifest.
"$ZONING" data build --sources "$WORK/sources" --accept-changed | tee "$WORK/build.txt"
grep -q "Nouvelle-Aquitaine" "$WORK/build.txt" || fail "data build: no Nouvelle-Aquitaine summary"

log "zoning data info: the rules come from the package"
"$ZONING" data info | tee "$WORK/info.txt" | head -20
grep -q "programme   na-mg-2023  \[paquet\]" "$WORK/info.txt" || fail "data info: na-mg-2023 not from the package"

log "zoning check"
# Today the NA decree of 30/12/2025 applies and its annex is not loaded: « à vérifier », exit 5.
status=0
"$ZONING" check --commune 23096 >"$WORK/today.txt" || status=$?
cat "$WORK/today.txt"
[ "$status" -eq 5 ] && grep -q "à vérifier" "$WORK/today.txt" \
  || fail "check --commune 23096 today: « à vérifier » and exit 5 expected (got $status)"
"$ZONING" check --commune 23096 --date 2023-11-01 | tee "$WORK/check.txt"
grep -q "ZIP" "$WORK/check.txt" || fail "check --commune 23096: Guéret is not ZIP"
"$ZONING" check --lon 1.87113 --lat 46.16497 --date 2023-11-01 | grep -q "Guéret" \
  || fail "check --lon --lat"

log "zoning batch on the sample candidates"
"$ZONING" batch candidats_exemple.csv -p na-mg-2023 -o resultats.xlsx
"$ZONING" batch candidats_exemple.csv -p na-mg-2023 -o resultats.csv
rows_in=$(($(wc -l < candidats_exemple.csv) - 1))
"$WORK/venv/bin/python" - "$rows_in" <<'EOF'
import sys
import pandas as pd
out = pd.read_csv("resultats.csv", sep=None, engine="python", dtype=str)
assert len(out) == int(sys.argv[1]), (len(out), sys.argv[1])
print(f"{len(out)} lignes en sortie, autant qu'en entrée")
EOF

log "zoning map coverage (no node_modules in reach)"
"$ZONING" map coverage --region 75 -o couverture.html
test -s couverture.html || fail "map coverage wrote nothing"
"$PY" "$REPO/.ci/smoke_map.py" "$WORK/user/couverture.html" || fail "the map did not draw offline"

log "zoning serve: the web application from the wheel's own files (DSFR, Leaflet, scripts)"
"$WORK/venv/bin/python" "$REPO/.ci/smoke_serve.py" "$ZONING" || fail "zoning serve"

log "wheel smoke test passed"
