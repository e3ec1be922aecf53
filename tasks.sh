#!/usr/bin/env bash
# The two entry points of the README, for a fresh machine (Debian, Python 3.11, root for apt):
#   bash tasks.sh main   install, build the zoning store, print its checks, render the map and a batch report
#   bash tasks.sh test   install system packages and Python deps, lint, type-check, run the test suite,
#                        then build the wheel and smoke-test it from outside the repository
#   bash tasks.sh lock   re-resolve requirements.lock (a deliberate upgrade), then run `test` on it
# Sources: $ZONING_SOURCES if set, else ../shared/data if present (offline), else downloaded upstream.
set -euo pipefail
cd "$(dirname "$0")"
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"

log() { printf '\n== %s\n' "$*" >&2; }

LOCK=requirements.lock
UV_VERSION=0.13.8   # the resolver of `bash tasks.sh lock`, pinned like everything else

setup_python() {
  # Every dependency and extra at the version and hash of the checked-in lock: what a fresh
  # machine installs does not depend on what was published that morning. The project itself
  # goes in editable, without dependencies and without build isolation (its build backend,
  # hatchling, is in the lock too).
  log "Python environment in $VENV (from $LOCK)"
  [ -x "$PY" ] || python3 -m venv "$VENV"
  "$PY" -m pip install -q --require-hashes --no-deps -r "$LOCK"
  "$PY" -m pip install -q --no-deps --no-build-isolation -e .
  "$PY" -m pip check
}

lock() {
  # Deliberate upgrade: re-resolve every dependency and extra for Python 3.11 on Linux,
  # with hashes, then install the new lock and run the whole suite on it.
  log "Resolving $LOCK (uv $UV_VERSION)"
  local tool; tool="$(mktemp -d)"
  python3 -m venv "$tool"
  "$tool/bin/pip" install -q "uv==$UV_VERSION"
  "$tool/bin/uv" pip compile pyproject.toml --all-extras --generate-hashes \
    --python-version 3.11 --no-header --quiet -o "$LOCK.new"
  rm -rf "$tool"
  { printf '# Lock of every dependency and extra of zoning, resolved on %s for Python 3.11 (Linux)\n' "$(date -u +%Y-%m-%d)"
    printf '# by `bash tasks.sh lock` (uv %s). Installed by tasks.sh, .ci/run and the wheel smoke test.\n' "$UV_VERSION"
    cat "$LOCK.new"; } >"$LOCK"
  rm -f "$LOCK.new"
  rm -rf "$VENV"
  run_tests "$@"
}

setup_system() {
  # apt packages (Redis, Chromium...) and npm assets for offline maps; each step is idempotent.
  log "System packages"
  for step in .ci/setup.d/*.sh; do
    bash "$step"
  done
}

sources_dir() {
  if [ -n "${ZONING_SOURCES:-}" ]; then echo "$ZONING_SOURCES"
  elif [ -d ../shared/data ]; then (cd ../shared/data && pwd)
  else echo ""; fi
}

main() {
  setup_system
  setup_python
  export ZONING_STORE="${ZONING_STORE:-$PWD/.cache/store}"
  local src; src="$(sources_dir)"
  if [ -z "$src" ]; then
    src="$PWD/.cache/sources"
    log "No local sources: downloading upstream files into $src"
    "$VENV/bin/zoning" data fetch --dest "$src"
  fi
  export ZONING_SOURCES="$src"  # FINESS hospitals are read from here by batch and check
  log "Building the zoning store from $src"
  "$VENV/bin/zoning" data build --sources "$src"
  log "A few checks"
  # Today the NA decree of 30/12/2025 applies and its annex is not in the sources: the
  # answer says so, « à vérifier », with the command that loads it (exit 5, expected here).
  "$VENV/bin/zoning" check --commune 23096 || [ $? -eq 5 ]
  "$VENV/bin/zoning" check --commune 23096 --date 2023-11-01
  "$VENV/bin/zoning" check --postcode 33000 --name Bordeaux --date 2023-11-01
  "$VENV/bin/zoning" check --lon 1.87113 --lat 46.16497 --date 2023-11-01
  mkdir -p maps
  if "$VENV/bin/zoning" map --help >/dev/null 2>&1; then
    log "Coverage map"
    "$VENV/bin/zoning" map coverage --region 75 -o maps/couverture-nouvelle-aquitaine.html
  fi
  if "$VENV/bin/zoning" batch --help >/dev/null 2>&1 && [ -f data/examples/candidats_exemple.csv ]; then
    log "Batch report on the sample candidates (made-up people, real places)"
    "$VENV/bin/zoning" batch data/examples/candidats_exemple.csv --programme na-mg-2023 \
      -o maps/resultats-exemple.xlsx
    "$VENV/bin/zoning" batch data/examples/candidats_exemple.csv --programme na-mg-2023 \
      -o maps/resultats-exemple.geojson
    if "$VENV/bin/zoning" map --help >/dev/null 2>&1; then
      "$VENV/bin/zoning" map posts maps/resultats-exemple.geojson -o maps/postes-exemple.html
    fi
  fi
  log "Done: store in $ZONING_STORE, outputs in maps/"
}

run_tests() {
  setup_system
  setup_python
  export ZONING_SOURCES_TEST="${ZONING_SOURCES_TEST:-$(sources_dir)}"
  log "Lint and types"
  "$VENV/bin/ruff" check zoning tests bench
  "$VENV/bin/mypy" zoning
  log "Tests (real data from $ZONING_SOURCES_TEST)"
  # pytest exits 5 when it collected no test: that is a failure here too.
  "$PY" -m pytest -q --timeout 900 "$@"
  log "Wheel: build, install into a fresh virtualenv outside the repository, smoke test"
  bash .ci/smoke-wheel.sh "$PY"
}

case "${1:-}" in
  main) shift; main "$@" ;;
  test) shift; run_tests "$@" ;;
  lock) shift; lock "$@" ;;
  *) echo "usage: bash tasks.sh main|test|lock [pytest args]" >&2; exit 2 ;;
esac
