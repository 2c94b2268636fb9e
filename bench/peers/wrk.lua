-- wrk: the same request every tool sends, and percentiles past the four --latency prints.
-- Method, body and token come from the environment (BENCH_METHOD, BENCH_BODY, BENCH_TOKEN); a GET sends wrk's
-- own static request. Only done() is defined besides the setup, so no Lua runs per request.
if os.getenv("BENCH_METHOD") == "POST" then
  wrk.method = "POST"
  wrk.body = os.getenv("BENCH_BODY")
  wrk.headers["Content-Type"] = "application/json"
end
local token = os.getenv("BENCH_TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

-- wrk keeps latency at 1 µs resolution; print the percentiles the benchmarks read, in µs.
function done(summary, latency, requests)
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("bench-percentile %s %d\n", tostring(p), latency:percentile(p)))
  end
end
