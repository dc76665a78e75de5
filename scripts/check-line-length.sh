#!/usr/bin/env bash
# Lists the lines longer than the limit (160 characters) in the repository's .ts files and exits 1 when there is one.
# ./scripts/check-line-length.sh [LIMIT]   Files: those git tracks, plus new ones it does not ignore.
# Counts characters as JavaScript does (UTF-16 units), not bytes, so 'é' is one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
LIMIT="${1:-160}"

git ls-files -z --cached --others --exclude-standard -- '*.ts' | LIMIT="$LIMIT" node -e '
const { readFileSync, existsSync } = require("node:fs");
const limit = Number(process.env.LIMIT);
const files = readFileSync(0, "utf8").split("\0").filter((f) => f !== "" && existsSync(f));
let count = 0;
for (const file of files) {
  readFileSync(file, "utf8").split("\n").forEach((line, i) => {
    if (line.length <= limit) return;
    count += 1;
    console.log(`${file}:${i + 1}: ${line.length} characters`);
  });
}
if (count > 0) {
  console.log(`check-line-length: ${count} line(s) over ${limit} characters in ${files.length} .ts files`);
  process.exit(1);
}
'
