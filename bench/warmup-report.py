#!/usr/bin/env python3
"""The warm-up part of bench/run.sh's report: start-up time, and the one-second slices of the first
size's warm-up load as a curve per server, with the second at which cache-proxy first reached 90 % of
its rate measured afterwards (the median of the rounds).

    warmup-report.py WARMUP_TSV HITS_TSV STARTUP_MS SIZE"""
import statistics
import sys

warmup_file, hits_file, startup_ms, size = sys.argv[1:5]

curve = {}
for line in open(warmup_file):
    server, second, rps = line.rstrip("\n").split("\t")
    curve.setdefault(server, []).append(int(rps or 0))

steady = {}
for line in open(hits_file):
    s, server, _round, requests, _body, micros, *_ = line.split("\t")
    if s == size:
        steady.setdefault(server, []).append(int(requests) / (int(micros) / 1e6))
steady = {server: statistics.median(rates) for server, rates in steady.items()}

print(f"\n### Start-up and warm-up\n")
print(f"- cache-proxy: process start to `/-/readyz` answering 200: {startup_ms} ms")
target = 0.9 * steady["cache-proxy"]
reached = next((i + 1 for i, rps in enumerate(curve["cache-proxy"]) if rps >= target), None)
print(f"- cache-proxy reached 90 % of its measured {size} rate ({steady['cache-proxy']:,.0f} req/s) "
      + (f"in second {reached} of the warm-up load" if reached else
         f"not within the {len(curve['cache-proxy'])} s of warm-up load"))
print(f"\n{size} hits per second of the warm-up load (back-to-back wrk runs of 1 s per server, cache-proxy's from just after its start):\n")
print("| second | " + " | ".join(str(i + 1) for i in range(len(curve["cache-proxy"]))) + " |")
print("|---|" + "---:|" * len(curve["cache-proxy"]))
for server in ("nginx", "cache-proxy"):
    print(f"| {server} | " + " | ".join(f"{rps / 1000:.1f}k" for rps in curve[server]) + " |")
