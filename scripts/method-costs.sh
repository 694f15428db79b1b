#!/usr/bin/env bash
# Cost of each transfer method on one pair: seconds per epoch (the run's own report, first epoch left out) and peak
# resident memory of the whole `mergenet transfer` process (GNU time), every method on the same data, seed and
# threads. Run it on a quiet machine; the methods alternate in one pass, so a disturbance hits one row, not a side.
#   scripts/method-costs.sh TARGET.onnx SOURCE.onnx DATA [EPOCHS] [TRAIN_LIMIT]
set -euo pipefail
target=$1 source=$2 data=$3 epochs=${4:-3} limit=${5:-5000}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
methods=(
  "alone|--mode alone"
  "selection|--mode alone --init selection"
  "compactors|--mode alone --init compactors"
  "kd (hinton)|--mode kd"
  "kd (dkd)|--mode kd --kd-loss dkd"
  "kd + selection (default)|--mode kd --init selection"
)
printf '| method | s/epoch | extra s/epoch vs alone | peak RSS (MiB) |\n|---|---|---|---|\n'
base=""
for m in "${methods[@]}"; do
  name=${m%%|*} args=${m#*|}
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=1 /usr/bin/time -f '%M' -o "$out/rss" "$root/mergenet" transfer --target "$target" --source "$source" \
      --data "$data" $args --epochs "$epochs" --train-limit "$limit" --eval-limit 5000 --seed 0 --device cpu \
      --out "$out/m.onnx" --report "$out/r.json" --force > "$out/log" 2>&1 || { echo "failed: $name" >&2; tail -5 "$out/log" >&2; exit 1; }
  spe=$(python3 -c "
import json,sys
r=json.load(open('$out/r.json'))
e=[x['secondsTotal'] for x in r['epochs'][1:]]
print('%.2f' % (sum(e)/len(e) if e else r['summary']['secondsPerEpoch']))")
  base=${base:-$spe}
  printf '| %s | %s | %+.2f | %d |\n' "$name" "$spe" "$(python3 -c "print($spe-$base)")" $(( $(cat "$out/rss") / 1024 ))
done
