#!/usr/bin/env bash
# The benchmark (issue 6): the same throwaway servers as the tests, then bench/run-once.bench.ts instead of mocha.
#   ./scripts/bench.sh [fleet sizes...]     default 1000 10000 50000; e.g. ./scripts/bench.sh 1000 10000
#   TEST_DIALECTS=postgres ./scripts/bench.sh 1000      one database only
#   BENCH_LOG_LEVEL=warn                                 the daemon's log level in the measured runs (default info)
#   BENCH_CPU_PROFILE=/some/folder                       a V8 CPU profile of every measured run
# Prints Markdown tables and writes bench/results/<timestamp>.json and bench/results/latest.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TEST_COMMAND="node dist/bench/run-once.bench.js" exec ./scripts/test.sh "$@"
