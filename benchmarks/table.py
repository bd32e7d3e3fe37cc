#!/usr/bin/env python3
"""Turns run.sh's JMH JSON into Markdown: every result, then the Baton / OpenTelemetry ratios.

Overhead ratio = (Baton - baseline) / (OpenTelemetry - baseline), in time and in bytes per op.
Times in the ratios are medians of the measured iterations: on a shared 2-core machine one slow
iteration (a GC, the host) moves the mean and its error far more than the median.
"""
import json
import statistics
import sys


def load(path):
    with open(path) as f:
        results = json.load(f)
    table = {}
    for r in results:
        cls, method = r["benchmark"].rsplit(".", 2)[-2:]
        params = ",".join(f"{v}" for _, v in sorted((r.get("params") or {}).items()))
        pm = r["primaryMetric"]
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        iterations = [v for fork in pm.get("rawData", []) for v in fork]
        median = statistics.median(iterations) if iterations else pm["score"]
        # JMH writes "NaN" (a string) as the error of fewer than three iterations.
        err = float(pm["scoreError"])
        table[(cls, method, params)] = (pm["score"], err, alloc, r["threads"], median)
    return table


def fmt(x, digits=0):
    return "" if x is None else f"{x:.{digits}f}"


def raw(table):
    print("| benchmark | params | threads | ns/op (mean) | ± | median ns/op | B/op |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (cls, method, params), (score, err, alloc, threads, median) in table.items():
        print(f"| {cls}.{method} | {params} | {threads} | {score:.1f} | {err:.1f} | {median:.1f}"
              f" | {fmt(alloc)} |")


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def ratios(table):
    def get(cls, method, params=""):
        return table.get((cls, method, params))

    rows = []
    for mode in ("SDK", "PROPAGATION"):
        for cls, baton, otel, base in (
            ("KafkaProducerBenchmark", "baton", "otel", "baseline"),
            ("KafkaConsumerBenchmark", "baton", "otel", "baseline"),
            ("GrpcBenchmark", "baton", "otel", "baseline"),
        ):
            b, o, z = get(cls, baton, mode), get(cls, otel, mode), get(cls, base)
            if not (b and o and z):
                continue
            rows.append(
                (f"{cls} {mode}", b, o, z,
                 ratio(b[4] - z[4], o[4] - z[4]), ratio(b[2] - z[2], o[2] - z[2])))
    for case, baton, otel, params in (("inject", "inject_baton", "inject_otel", ""),
                                      ("extract", "extract_baton", "extract_otel", "trace"),
                                      ("extractNone", "extract_baton", "extract_otel", "none")):
        b = get("KafkaHeadersBenchmark", baton, params)
        o = get("KafkaHeadersBenchmark", otel, params)
        z = get("KafkaHeadersBenchmark", "baseline") if case == "inject" else (0, 0, 0, 1, 0)
        if b and o and z:
            rows.append((f"KafkaHeaders {case}", b, o, z,
                         ratio(b[4] - z[4], o[4] - z[4]), ratio(b[2] - z[2], o[2] - z[2])))
    print("| case | Baton ns (median; mean ± err) | OTel ns (median; mean ± err) | baseline ns |"
          " Baton B | OTel B | baseline B |"
          " overhead ratio, time | overhead ratio, bytes |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, b, o, z, rt, rb in rows:
        print(f"| {name} | {b[4]:.0f}; {b[0]:.0f} ± {b[1]:.0f} | {o[4]:.0f}; {o[0]:.0f} ± {o[1]:.0f} |"
              f" {z[4]:.0f} |"
              f" {fmt(b[2])} | {fmt(o[2])} | {fmt(z[2])} | {fmt(rt, 2)} | {fmt(rb, 2)} |")


def main(path):
    table = load(path)
    raw(table)
    print()
    ratios(table)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/target/results/jmh.json")
