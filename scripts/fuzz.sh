#!/usr/bin/env bash
# The long fuzz run (docs/fuzzing.md): scripts/fuzz.sh [--files 10000] [--seed 1] [--timeout-s 60] [--out target/fuzz]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$root/scripts/bench.sh" fuzz.ModelFuzz "$@"
