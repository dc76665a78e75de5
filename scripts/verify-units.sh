#!/usr/bin/env bash
# Checks the systemd files in systemd/ without installing them: ./scripts/verify-units.sh
#
# 1. `systemd-analyze verify` on copies of the units in a temporary folder. verify requires ExecStart's program to
#    exist; the units name /usr/bin/node (Debian/Ubuntu and NodeSource packages). When this machine has node
#    elsewhere, the copies get that path instead and the script says so. Any output from verify (an unknown key,
#    a missing unit, a bad value) counts as a failure, not only a non-zero status.
# 2. ExecStart's script, dist/src/cli/main.js, is what `npm run build` makes from src/cli/main.ts.
# 3. Both services carry the same hardening lines (everything from `UMask=` to the end of [Service]).
# 4. `systemd-analyze security --offline` scores each service (fails above EXPOSURE_MAX, default 3.0).
# 5. The sysusers.d file creates the user and the group in an empty temporary root.
# Needs systemd-analyze (package systemd) and systemd-sysusers; runs as any user.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UNITS_DIR="$ROOT/systemd"
EXPOSURE_MAX="${EXPOSURE_MAX:-3.0}"

log() { printf 'verify-units: %s\n' "$*"; }
die() { printf 'verify-units: FAILED: %s\n' "$*" >&2; exit 1; }

command -v systemd-analyze >/dev/null || die "systemd-analyze not found (install the systemd package)"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

shopt -s nullglob
units=("$UNITS_DIR"/*.service "$UNITS_DIR"/*.timer)
services=("$UNITS_DIR"/*.service)
((${#units[@]} > 0)) || die "no units in $UNITS_DIR"
cp "${units[@]}" "$WORK/"

# ---------------------------------------------------------------- 1. verify ----
NODE=/usr/bin/node
if [[ ! -x $NODE ]]; then
  NODE="$(command -v node || true)"
  [[ -n $NODE ]] || die "node is neither at /usr/bin/node nor on PATH; systemd-analyze verify needs ExecStart's program"
  sed -i "s#^ExecStart=/usr/bin/node #ExecStart=$NODE #" "$WORK"/*.service
  log "this machine has node at $NODE, not /usr/bin/node: the copies being verified use $NODE"
fi
for unit in "$WORK"/*; do
  log "systemd-analyze verify $(basename "$unit")"
done
set +e
output="$(cd "$WORK" && systemd-analyze verify --man=no ./*.service ./*.timer 2>&1)"
status=$?
set -e
if ((status != 0)) || [[ -n $output ]]; then
  printf '%s\n' "$output" >&2
  die "systemd-analyze verify reported the above (status $status)"
fi
log "verify: no findings ($(grep -h '^ExecStart=' "$WORK"/*.service | sort -u | paste -sd ';' -))"

# ------------------------------------------------------ 2. ExecStart script ----
for service in "${services[@]}"; do
  script="$(sed -n 's#^ExecStart=[^ ]* /opt/guacamole-ec2-discovery/\([^ ]*\).*#\1#p' "$service")"
  [[ $script == dist/src/cli/main.js ]] || die "$(basename "$service"): ExecStart runs '$script', expected dist/src/cli/main.js"
done
[[ -f $ROOT/src/cli/main.ts ]] || die "src/cli/main.ts is missing: nothing builds dist/src/cli/main.js"
grep -q '"rootDir": "."' "$ROOT/tsconfig.json" || die "tsconfig.json rootDir is not \".\": the build would not produce dist/src/cli/main.js"
log "ExecStart script dist/src/cli/main.js is built from src/cli/main.ts (tsconfig rootDir \".\")"

# ------------------------------------------------------- 3. same hardening ----
hardening() { sed -n '/^\[Service\]/,/^\[/p' "$1" | sed -n '/^UMask=/,/^\[/p' | grep -v -e '^\[' -e '^$' ; }
reference="${services[0]}"
for service in "${services[@]:1}"; do
  if ! diff <(hardening "$reference") <(hardening "$service") >"$WORK/hardening.diff"; then
    cat "$WORK/hardening.diff" >&2
    die "$(basename "$service") and $(basename "$reference") differ in hardening"
  fi
done
log "hardening identical in: $(for s in "${services[@]}"; do basename "$s"; done | paste -sd ' ' -)"

# ------------------------------------------------------------ 4. exposure ----
# --threshold counts in tenths (exposure 1.7 is 17).
threshold="$(awk -v max="$EXPOSURE_MAX" 'BEGIN { printf "%d", max * 10 }')"
for service in "$WORK"/*.service; do
  set +e
  score="$(cd "$WORK" && systemd-analyze security --offline=true --threshold="$threshold" "./$(basename "$service")" 2>&1)"
  status=$?
  set -e
  line="$(grep 'Overall exposure level' <<<"$score" || true)"
  ((status == 0)) || die "$(basename "$service"): ${line:-security review failed} (max $EXPOSURE_MAX)"
  log "security: ${line#→ }"
done

# ------------------------------------------------------------ 5. sysusers ----
for sysusers in "$UNITS_DIR"/*.sysusers; do
  command -v systemd-sysusers >/dev/null || { log "systemd-sysusers not found: $(basename "$sysusers") not checked"; break; }
  mkdir -p "$WORK/root/etc"
  systemd-sysusers --root="$WORK/root" "$sysusers" >/dev/null 2>&1 || die "systemd-sysusers rejected $(basename "$sysusers")"
  user="$(sed -n 's/^User=//p' "$UNITS_DIR"/*.service | sort -u)"
  group="$(sed -n 's/^SupplementaryGroups=//p' "$UNITS_DIR"/*.service | sort -u)"
  grep -q "^$user:" "$WORK/root/etc/passwd" || die "$(basename "$sysusers") does not create user $user"
  grep -q "^$group:x:[0-9]*:.*\b$user\b" "$WORK/root/etc/group" || die "$(basename "$sysusers") does not put $user in group $group"
  log "sysusers: $(basename "$sysusers") creates user $user in group $group"
done

log "all checks passed"
