#!/usr/bin/env bash
# The benchmark: the same throwaway servers as the tests, then bench/run-once.bench.ts instead of mocha.
#   ./scripts/bench.sh [fleet sizes...]     e.g. ./scripts/bench.sh 1000 10000
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TEST_COMMAND="node dist/bench/run-once.bench.js" exec ./scripts/test.sh "$@"
