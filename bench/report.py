#!/usr/bin/env python3
"""Turns bench/run.sh's raw measurements into the Markdown table that docs/benchmarks.md records.

Medians over rounds; the ratio is cache-proxy / nginx for throughput (higher is better for us)."""
import statistics
import sys

(hits_file, fanin_file, peak_kib, idle_kib, nginx_kib, idle_n,
 connections, duration, rounds, fanin_clients, fanin_mib, fanin_rate, warmup_file, startup_ms) = sys.argv[1:15]

hits = {}
for line in open(hits_file):
    size, server, _round, requests, body, micros, p50, p99, errors, non2xx = line.split("\t")
    seconds = int(micros) / 1e6
    hits.setdefault((size, server), []).append({
        "rps": int(requests) / seconds, "mbs": int(body) / seconds / 1e6,
        "p50": int(p50) / 1000, "p99": int(p99) / 1000, "bad": int(errors) + int(non2xx)})

def median(rows, key):
    return statistics.median(r[key] for r in rows)

print(f"### Hits: wrk, {connections} connections, {duration} s per run, median of {rounds} rounds\n")
print("| object | server | req/s | MB/s | p50 ms | p99 ms | errors | req/s ratio |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
sizes = list(dict.fromkeys(size for size, _server in hits))  # in the order measured (SIZES)
for size in sizes:
    nginx, proxy = hits[(size, "nginx")], hits[(size, "cache-proxy")]
    ratio = median(proxy, "rps") / median(nginx, "rps")
    for name, rows in (("nginx", nginx), ("cache-proxy", proxy)):
        print(f"| {size} | {name} | {median(rows, 'rps'):,.0f} | {median(rows, 'mbs'):,.0f} | "
              f"{median(rows, 'p50'):.2f} | {median(rows, 'p99'):.2f} | {sum(r['bad'] for r in rows)} | "
              + (f"**{ratio:.2f}**" if name == "cache-proxy" else "") + " |")

fanin = {}
for line in open(fanin_file):
    server, _round, single, many, fetches, failed = line.split("\t")
    fanin.setdefault(server, []).append((float(single), float(many), int(fetches), int(failed)))
print(f"\n### Cold fan-in: {fanin_clients} clients, one uncached {fanin_mib} MiB object, "
      f"upstream limited to limit_rate {fanin_rate} (bytes/s), median of {rounds} rounds\n")
print("| server | one client s | all clients s | all / one | upstream fetches (per round) | failed clients |")
print("|---|---:|---:|---:|---|---:|")
for server, rows in fanin.items():
    single = statistics.median(r[0] for r in rows)
    many = statistics.median(r[1] for r in rows)
    ratios = statistics.median(r[1] / r[0] for r in rows)
    print(f"| {server} | {single:.2f} | {many:.2f} | {ratios:.2f} | "
          f"{', '.join(str(r[2]) for r in rows)} | {sum(r[3] for r in rows)} |")

print("\n### Memory\n")
print(f"- cache-proxy peak RSS (VmHWM) over the whole run: {int(peak_kib) / 1024:.0f} MiB")
print(f"- cache-proxy RSS with {idle_n} idle keep-alive connections open: {int(idle_kib) / 1024:.0f} MiB")
print(f"- nginx proxy_cache (master + workers) RSS at the same moment: {int(nginx_kib or 0) / 1024:.0f} MiB")

# Start-up and warm-up: the first size's warm-up load as one-second slices per server, and the second at
# which cache-proxy first reached 90 % of the rate measured afterwards (the median of the rounds)
curve = {}
for line in open(warmup_file):
    server, _second, rps = line.rstrip("\n").split("\t")
    curve.setdefault(server, []).append(int(rps or 0))
first = sizes[0]  # the size the warm-up load ran on
steady = median(hits[(first, "cache-proxy")], "rps")
reached = next((i + 1 for i, rps in enumerate(curve["cache-proxy"]) if rps >= 0.9 * steady), None)
print("\n### Start-up and warm-up\n")
print(f"- cache-proxy: process start to `/-/readyz` answering 200: {startup_ms} ms")
print(f"- cache-proxy reached 90 % of its measured {first} rate ({steady:,.0f} req/s) "
      + (f"in second {reached} of the warm-up load" if reached else
         f"not within the {len(curve['cache-proxy'])} s of warm-up load"))
print(f"\n{first} hits per second of the warm-up load (back-to-back wrk runs of 1 s per server, "
      "cache-proxy's from just after its start):\n")
print("| second | " + " | ".join(str(i + 1) for i in range(len(curve["cache-proxy"]))) + " |")
print("|---|" + "---:|" * len(curve["cache-proxy"]))
for server in ("nginx", "cache-proxy"):
    print(f"| {server} | " + " | ".join(f"{rps / 1000:.1f}k" for rps in curve[server]) + " |")
