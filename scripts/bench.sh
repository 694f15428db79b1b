#!/usr/bin/env bash
# Runs one benchmark program: scripts/bench.sh NAME [ARGS...]  (NAME: a class in benchmarks/, e.g. ImportBenchmark).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="$1"; shift
(cd "$root" && mvn -q -B -Dstyle.color=never package -DskipTests -pl benchmarks -am >&2)
cp="$root/benchmarks/target/classes:$(cat "$root/benchmarks/target/classpath.txt")"
exec java ${BENCH_JAVA_OPTS:--Xmx16g} -Dai.djl.offline=true -cp "$cp" "dev.mergenet.bench.$name" "$@"
