#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs the test data, then builds and runs every module's tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/test-data.sh"
# the sweep's HTML page test (SweepReportChromiumTest) opens the page in headless Chromium
if ! command -v chromium >/dev/null; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends chromium
fi
cd "$root"
mvn -B -ntp verify "$@"
# The CUDA build uses another DJL (0.33): compile its main and test code too, into target/cuda-compile,
# without its runtime-only libtorch natives (no GPU here to run them).
mvn -B -ntp -q -Pcuda-compile test-compile
