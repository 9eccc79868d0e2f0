-- wrk script: print one line of exact totals as JSON, for benchmarks/run.py (and inbox.py) to parse.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "bytes": %d, "duration_us": %d, "errors_connect": %d, '
      .. '"errors_read": %d, "errors_write": %d, "errors_timeout": %d, "errors_status": %d, '
      .. '"latency_p50_ms": %.2f, "latency_p95_ms": %.2f, "latency_p99_ms": %.2f}\n',
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
