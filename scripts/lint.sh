#!/usr/bin/env bash
# The project's static checks: ./scripts/lint.sh [--no-types]   (also `npm run lint`)
#   1. tsc --noEmit: type errors in src, migrations, test, and bench (its own tsconfig); skipped by --no-types, for
#      callers that just built
#   2. Biome's linter (biome.jsonc), warnings count as errors
#   3. no line over 160 characters in a .ts file (scripts/check-line-length.sh)
# Runs all three and exits 1 if any failed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

types=1
for arg in "$@"; do
  case "$arg" in
    --no-types) types=0 ;;
    *) printf 'lint.sh: unknown argument %s (usage: scripts/lint.sh [--no-types])\n' "$arg" >&2; exit 2 ;;
  esac
done

failed=()
step() { # step NAME COMMAND...: runs it, remembers a failure, prints how long it took
  local name=$1 started=$SECONDS
  shift
  if ! "$@"; then failed+=("$name"); fi
  printf 'lint.sh: %s done in %d s\n' "$name" $((SECONDS - started))
}

if [[ $types -eq 1 ]]; then
  step 'tsc --noEmit' "$ROOT/node_modules/.bin/tsc" --noEmit -p tsconfig.json
  step 'tsc --noEmit (bench)' "$ROOT/node_modules/.bin/tsc" --noEmit -p bench/tsconfig.json
fi
step biome "$ROOT/node_modules/.bin/biome" lint --error-on-warnings --no-errors-on-unmatched .
step 'line length' "$ROOT/scripts/check-line-length.sh"

if [[ ${#failed[@]} -gt 0 ]]; then
  printf 'lint.sh: failed: %s\n' "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')" >&2
  exit 1
fi
echo 'lint.sh: all checks passed'
