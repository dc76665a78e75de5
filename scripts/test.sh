#!/usr/bin/env bash
# The project's test command: ./scripts/test.sh [mocha args...]
#
# Installs npm dependencies when needed, builds, lints, then hands over to the test runner
# (test/support/runner/main.ts), which starts throwaway database servers on 127.0.0.1
# (unless TEST_POSTGRES_URL / TEST_MYSQL_URL name servers to use; Debian's postgresql /
# mariadb-server are installed when missing, as root), runs mocha once per pass, stops
# exactly the servers it started and exits with the first failing pass's status.
# Passes: the main suite; then, when no test file is named, the --once suite on
# PostgreSQL 12 and 18 (npm binaries) and on MariaDB with uca1400 tables.
# TEST_DIALECTS=postgres (or mysql) keeps one dialect; TEST_PASSES=main,pg12,pg18,mariadb-uca1400
# picks passes; TEST_COMMAND replaces mocha in the main pass (the benchmarks use it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf 'test.sh: %s\n' "$*"; }

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error </dev/null
fi

log "building (npm run build)"
rm -rf "$ROOT/dist" # no stale compiled test of a deleted source file may run
build_status=0
npm run --silent build </dev/null || build_status=$?
if [[ $build_status -ne 0 ]]; then
  log "build failed (status $build_status, errors above); running the tests on what tsc emitted anyway"
fi
log "building the benchmark (bench/tsconfig.json): it runs the real runtime and must compile against it"
if [[ $build_status -eq 0 ]]; then "$ROOT/node_modules/.bin/tsc" -p bench/tsconfig.json </dev/null || build_status=$?; fi

log "linting (scripts/lint.sh --no-types: Biome and line length; the build type-checked)"
lint_status=0
"$ROOT/scripts/lint.sh" --no-types </dev/null || lint_status=$?
if [[ $build_status -eq 0 ]]; then build_status=$lint_status; fi # the tests still run; the command fails at the end

RUNNER="$ROOT/dist/test/support/runner/main.js"
if [[ ! -f "$RUNNER" ]]; then
  log "the test runner was not built ($RUNNER)"
  exit "$(( build_status == 0 ? 1 : build_status ))"
fi

# exec: a signal to this script goes straight to the runner, which stops what it started.
# It exits with the build's (or lint's) status when the tests pass but the build or lint failed.
TEST_BUILD_STATUS=$build_status exec node "$RUNNER" "$@" </dev/null
