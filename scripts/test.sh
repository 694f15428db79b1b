#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs the test data, then builds and runs every module's tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/test-data.sh"
cd "$root"
mvn -B -ntp verify "$@"
# The CUDA build uses another DJL (0.33): compile its main and test code too, into target/cuda-compile,
# without its runtime-only libtorch natives (no GPU here to run them).
mvn -B -ntp -q -Pcuda-compile test-compile
