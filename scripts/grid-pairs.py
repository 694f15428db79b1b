#!/usr/bin/env python3
"""Per-configuration paired differences between two arms of one sweep, and best-of-grid selection on validation.

usage: scripts/grid-pairs.py SWEEP_DIR ARM CONTROL [BASELINE]

Reads the trial records (trials/*/trial.json) `mergenet experiment` writes. For every grid point both ARM and CONTROL
ran (same seed), prints the difference of test accuracy at the best validation epoch, then the mean with a 95%
Student-t interval over the grid points. Then, for ARM, CONTROL and BASELINE (when given), the configuration with
the best validation accuracy and its test accuracy: the best-of-grid number an equal selection budget gives each arm.
"""
import glob
import json
import math
import statistics
import sys

T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
        11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086,
        25: 2.060, 30: 2.042}


def t975(df):
    return T975.get(df) or T975[min(T975, key=lambda k: abs(k - df))]


def records(sweep, arm):
    out = {}
    for f in glob.glob(sweep + "/trials/*/trial.json"):
        r = json.load(open(f))
        if r["spec"]["arm"] != arm or r["row"].get("status") != "ok":
            continue
        grid = r["spec"]["grid"]
        key = (json.dumps(grid, sort_keys=True), r["spec"]["seed"])
        out[key] = r["row"]
    return out


def best(rows):
    key = max(rows, key=lambda k: (rows[k]["bestValAccuracy"], -rows[k]["testAccuracyAtBestVal"]))
    return key, rows[key]


def main():
    sweep, arm, control = sys.argv[1:4]
    baseline = sys.argv[4] if len(sys.argv) > 4 else None
    a, c = records(sweep, arm), records(sweep, control)
    keys = sorted(set(a) & set(c))
    d = [100 * (a[k]["testAccuracyAtBestVal"] - c[k]["testAccuracyAtBestVal"]) for k in keys]
    print(f"{arm} - {control}, per grid point and seed (test accuracy at best val, pp):")
    for k, v in zip(keys, d):
        print(f"  {k[0]} seed {k[1]}: {v:+.2f}")
    if len(d) > 1:
        m, s = statistics.mean(d), statistics.stdev(d)
        h = t975(len(d) - 1) * s / math.sqrt(len(d))
        print(f"mean {m:+.2f} pp, 95% CI [{m - h:+.2f}, {m + h:+.2f}] over {len(d)} paired runs")
    for name in [arm, control] + ([baseline] if baseline else []):
        rows = records(sweep, name)
        k, r = best(rows)
        print(f"best of {len(rows)} on validation, {name}: {k[0]} seed {k[1]}: val {100 * r['bestValAccuracy']:.2f}%,"
              f" test at best val {100 * r['testAccuracyAtBestVal']:.2f}%")


if __name__ == "__main__":
    main()
