#!/usr/bin/env bash
# Cost of each transfer method on one pair: seconds per epoch (the run's own report, first epoch left out), the part
# spent outside the target's own step (teacher forward, compactor or adapter update), and the peak resident memory of
# the whole `mergenet transfer` process (GNU time); every method on the same data, seed and one libtorch thread. Two
# rounds through the methods, alternating, averaged: a disturbance hits one run of a method, not a whole side.
# Run it on a quiet machine.
#   scripts/method-costs.sh TARGET.onnx SOURCE.onnx DATA [EPOCHS] [TRAIN_LIMIT] [ROUNDS]
set -euo pipefail
target=$1 source=$2 data=$3 epochs=${4:-3} limit=${5:-5000} rounds=${6:-2}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
methods=(
  "alone|--mode alone"
  "selection|--mode alone --init selection"
  "compactors|--mode alone --init compactors"
  "kd (hinton)|--mode kd"
  "kd (dkd)|--mode kd --kd-loss dkd"
  "kd + selection (the default)|--mode kd --init selection --kd-alpha 0.5"
)
for r in $(seq "$rounds"); do
  for i in "${!methods[@]}"; do
    args=${methods[$i]#*|}
    # shellcheck disable=SC2086
    OMP_NUM_THREADS=1 /usr/bin/time -f '%M' -o "$out/rss_${i}_$r" "$root/mergenet" transfer --target "$target" \
        --source "$source" --data "$data" $args --epochs "$epochs" --train-limit "$limit" --eval-limit 5000 --seed 0 \
        --device cpu --out "$out/m.onnx" --report "$out/r_${i}_$r.json" --force > "$out/log" 2>&1 \
        || { echo "failed: ${methods[$i]%%|*}" >&2; tail -5 "$out/log" >&2; exit 1; }
  done
done
python3 - "$out" "$rounds" "${methods[@]}" <<'PY'
import json, sys
out, rounds, methods = sys.argv[1], int(sys.argv[2]), [m.split('|')[0] for m in sys.argv[3:]]
print('| method | s/epoch | of which outside the target step | peak RSS (MiB) |')
print('|---|---|---|---|')
for i, name in enumerate(methods):
    tot, extra, rss = [], [], []
    for r in range(1, rounds + 1):
        ep = json.load(open(f'{out}/r_{i}_{r}.json'))['epochs'][1:]
        tot += [e['secondsTotal'] - e['secondsEval'] for e in ep]
        extra += [e['secondsSource'] + e['secondsAdapter'] for e in ep]
        rss.append(int(open(f'{out}/rss_{i}_{r}').read().split()[-1]) / 1024)
    print(f'| {name} | {sum(tot) / len(tot):.2f} | {sum(extra) / len(extra):.2f} | {max(rss):.0f} |')
PY
