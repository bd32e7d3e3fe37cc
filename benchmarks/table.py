#!/usr/bin/env python3
"""Prints JMH JSON results (from run.sh) as one Markdown table: score, error, bytes per op."""
import json
import sys


def main(path):
    with open(path) as f:
        results = json.load(f)
    print("| benchmark | params | threads | ns/op | ± | B/op |")
    print("|---|---|---:|---:|---:|---:|")
    for r in results:
        name = r["benchmark"].rsplit(".", 2)
        short = name[-2] + "." + name[-1]
        params = ",".join(f"{k}={v}" for k, v in sorted((r.get("params") or {}).items()))
        pm = r["primaryMetric"]
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        alloc_s = "" if alloc is None else f"{alloc:.0f}"
        print(f"| {short} | {params} | {r['threads']} | {pm['score']:.1f} | "
              f"{pm['scoreError']:.1f} | {alloc_s} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/target/results/jmh.json")
