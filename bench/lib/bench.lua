-- SPDX-License-Identifier: GPL-2.0-or-later
-- wrk script for bench/run.  The request is set up once from the
-- environment (no request() or response() function, so wrk still sends a
-- pre-built request and runs no Lua per request), and done() prints one
-- line with exact percentiles and every error counter for the harness.
--   BENCH_METHOD  request method (default GET)
--   BENCH_BODY    request body size in bytes (default none)
--   BENCH_CLOSE   "1": send Connection: close (wrk reconnects each time)

local method = os.getenv("BENCH_METHOD")
local body = tonumber(os.getenv("BENCH_BODY") or "0") or 0

if method and method ~= "" then
	wrk.method = method
end
if body > 0 then
	wrk.body = string.rep("x", body)
	wrk.headers["Content-Type"] = "application/octet-stream"
end
if os.getenv("BENCH_CLOSE") == "1" then
	wrk.headers["Connection"] = "close"
end

done = function(summary, latency, requests)
	local e = summary.errors
	-- latencies in microseconds, duration in microseconds
	io.write(string.format(
	    "BENCH requests=%d duration_us=%d bytes=%d " ..
	    "connect=%d read=%d write=%d status=%d timeout=%d " ..
	    "p50=%d p75=%d p90=%d p99=%d p999=%d mean=%.1f max=%d\n",
	    summary.requests, summary.duration, summary.bytes,
	    e.connect, e.read, e.write, e.status, e.timeout,
	    latency:percentile(50), latency:percentile(75),
	    latency:percentile(90), latency:percentile(99),
	    latency:percentile(99.9), latency.mean, latency.max))
end
