#!/usr/bin/env bash
# Checks the systemd files in systemd/ without installing them: ./scripts/verify-units.sh
#
# 1. `systemd-analyze verify` on copies of the units in a temporary folder. verify requires ExecStart's program to
#    exist; the units name the installed command, /usr/local/bin/guacamole-ec2-discovery (README.md, "Linux install
#    (systemd)"). When it is not installed here, the copies run a stand-in script instead and the script says so. Any
#    output from verify (an unknown key, a missing unit, a bad value) counts as a failure, not only a non-zero status.
# 2. The units point at one installed package: ExecStart runs <prefix>/bin/guacamole-ec2-discovery, WorkingDirectory=
#    is <prefix>/lib/node_modules/guacamole-ec2-discovery and Documentation= its README.md; package.json's bin maps
#    that command to dist/src/cli/main.js, built from src/cli/main.ts (which starts with a node shebang), and its
#    "files" ship dist/src, README.md and systemd/.
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
COMMAND="$(sed -n 's#^ExecStart=\([^ ]*\).*#\1#p' "${services[@]}" | sort -u)"
[[ $COMMAND != *$'\n'* && $COMMAND == /*/bin/guacamole-ec2-discovery ]] || die "the services' ExecStart= run '${COMMAND//$'\n'/', '}', expected one and the same <prefix>/bin/guacamole-ec2-discovery"
if [[ ! -x $COMMAND ]]; then
  mkdir -p "$WORK/bin"
  printf '#!/bin/sh\nexit 0\n' >"$WORK/bin/guacamole-ec2-discovery"
  chmod +x "$WORK/bin/guacamole-ec2-discovery"
  sed -i "s#^ExecStart=$COMMAND#ExecStart=$WORK/bin/guacamole-ec2-discovery#" "$WORK"/*.service
  log "$COMMAND is not installed here: the copies being verified run a stand-in, $WORK/bin/guacamole-ec2-discovery"
fi
for unit in "$WORK"/*.service "$WORK"/*.timer; do
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

# ------------------------------------------------------- 2. installed layout ----
prefix="${COMMAND%/bin/guacamole-ec2-discovery}"
package_dir="$prefix/lib/node_modules/guacamole-ec2-discovery"
for service in "${services[@]}"; do
  grep -qx "WorkingDirectory=$package_dir" "$service" || die "$(basename "$service"): WorkingDirectory= is not $package_dir (the package beside $COMMAND)"
  grep -qx "Documentation=file://$package_dir/README.md" "$service" || die "$(basename "$service"): Documentation= is not file://$package_dir/README.md"
done
log "units: $COMMAND, package folder $package_dir"
package_json() { node -p "const p = require(process.argv[1]); $1" "$ROOT/package.json"; }
[[ $(package_json 'p.name') == guacamole-ec2-discovery ]] || die "package.json: name is not guacamole-ec2-discovery (the folder the units name)"
script="$(package_json 'p.bin["guacamole-ec2-discovery"]')"
[[ $script == dist/src/cli/main.js ]] || die "package.json: bin guacamole-ec2-discovery is '$script', expected dist/src/cli/main.js"
files=" $(package_json 'p.files.join(" ")') "
for shipped in dist/src README.md systemd; do
  [[ $files == *" $shipped "* ]] || die "package.json: \"files\" does not ship $shipped"
done
[[ $(head -n 1 "$ROOT/src/cli/main.ts") == '#!/usr/bin/env node' ]] || die "src/cli/main.ts does not start with #!/usr/bin/env node: the installed command would not run"
grep -q '"rootDir": "."' "$ROOT/tsconfig.json" || die "tsconfig.json rootDir is not \".\": the build would not produce dist/src/cli/main.js"
grep -q '"extends": "./tsconfig.json"' "$ROOT/tsconfig.build.json" || die "tsconfig.build.json (npm pack's build) does not extend tsconfig.json"
log "package.json: bin guacamole-ec2-discovery is dist/src/cli/main.js (from src/cli/main.ts, node shebang); files ship dist/src, README.md, systemd"

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
