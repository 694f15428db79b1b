#!/usr/bin/env bash
# Runs one benchmark program: scripts/bench.sh NAME [ARGS...]  (NAME: a class in benchmarks/, e.g. ImportBenchmark).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="$1"; shift
(cd "$root" && mvn -q -B -Dstyle.color=never package -DskipTests -pl benchmarks -am >&2)
# glibc's allocator returns freed activation buffers to the kernel and then page-faults them back in on the next
# step (tens of thousands of faults per training step); keeping freed memory in the process removes that. One arena:
# the JVM's threads are not the process's first thread, so each would get a 64 MiB-capped arena whose large blocks
# still come and go through mmap. A value the user set wins; BENCH_MALLOC=glibc keeps glibc's defaults. See
# docs/benchmarks.md.
[ "${BENCH_MALLOC:-}" = glibc ] || export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-1073741824}" \
    MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-1073741824}" MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}"
cp="$root/benchmarks/target/classes:$(cat "$root/benchmarks/target/classpath.txt")"
exec java ${BENCH_JAVA_OPTS:--Xmx16g} -Dai.djl.offline=true -cp "$cp" "dev.mergenet.bench.$name" "$@"
