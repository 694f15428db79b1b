#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs the test data, then builds and runs every module's tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/test-data.sh"
cd "$root"
mvn -B -ntp verify "$@"
