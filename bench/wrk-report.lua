-- Prints one machine-readable line at the end of a wrk run:
--   RESULT <requests> <bytes> <duration_us> <p50_us> <p99_us> <errors> <non2xx>
-- bench/run.sh reads it; wrk's own human report is printed above it.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\n",
    summary.requests, summary.bytes, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
