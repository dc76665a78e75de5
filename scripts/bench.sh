#!/usr/bin/env bash
# The benchmark (issue 6): the same throwaway servers as the tests, then a benchmark instead of mocha.
#   ./scripts/bench.sh [fleet sizes...]     default 1000 10000 50000; e.g. ./scripts/bench.sh 1000 10000
#   TEST_DIALECTS=postgres ./scripts/bench.sh 1000      one database only
#   BENCH_LOG_LEVEL=warn                                 the daemon's log level in the measured runs (default info)
#   BENCH_CPU_PROFILE=/some/folder                       a V8 CPU profile of every measured run
#   BENCH_FLOOR_REPEATS=3                                copies per batch size for the plain-insert floor (default 2)
#   BENCH_ENTRY=refused-write.bench                      one benchmark of bench/ only (default: run-once.bench, then event-batch.bench)
#   BENCH_CLI=/other/checkout/dist/src/cli/main.js       time another build's CLI in the process rows (before/after)
# Prints Markdown tables and writes bench/results/<timestamp>.json and bench/results/latest.json.
#
# The benchmark has its own tsconfig (bench/tsconfig.json), outside the project's build: scripts/test.sh builds the
# project and bench/ (it compiles the benchmark on every test run), then runs this script again with --built.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ "${1:-}" == --built ]]; then
  shift
  if [[ -n "${BENCH_ENTRY:-}" ]]; then exec node "dist/bench/$BENCH_ENTRY.js" "$@"; fi
  # By default: the runs (first, no change, churn, the floor, the process), then the event batches.
  node dist/bench/run-once.bench.js "$@"
  exec node dist/bench/event-batch.bench.js "$@"
fi
TEST_COMMAND="bash scripts/bench.sh --built" exec ./scripts/test.sh "$@"
