-- wrk: 1,000 datapoints a request (1,000 series, 1-second resolution, no
-- Timestamp: the server stamps now), keep-alive. MODE (environment):
--   native      POST /v1/metrics                 (gamelake's JSON API)
--   cloudwatch  POST / with X-Amz-Target: GraniteServiceVersion20100801.PutMetricData
--   events      the same 1,000 datum objects as NDJSON records into
--               POST /v1/streams/bench/records (the event ingest baseline)
--   victoria    the same 1,000 series and values in Prometheus text format
--               into VictoriaMetrics' POST /api/v1/import/prometheus
-- Prints datapoints (or records) per second from the 2xx answers.
local mode = os.getenv("MODE") or "native"
local data = {}
for i = 1, 1000 do
  data[i] = string.format(
    '{"MetricName":"m","Dimensions":[{"Name":"Player","Value":"%d"}],"Value":%d,"StorageResolution":1}',
    i, i % 21)
end
wrk.method = "POST"
if mode == "victoria" then
  local lines = {}
  for i = 1, 1000 do lines[i] = string.format('m{Player="%d"} %d', i, i % 21) end
  wrk.path = "/api/v1/import/prometheus"
  wrk.headers["Content-Type"] = "text/plain"
  wrk.body = table.concat(lines, "\n") .. "\n"
elseif mode == "events" then
  wrk.path = "/v1/streams/bench/records"
  wrk.headers["Content-Type"] = "application/x-ndjson"
  wrk.body = table.concat(data, "\n") .. "\n"
else
  wrk.body = '{"Namespace":"bench","MetricData":[' .. table.concat(data, ",") .. "]}"
  if mode == "cloudwatch" then
    wrk.path = "/"
    wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
    wrk.headers["X-Amz-Target"] = "GraniteServiceVersion20100801.PutMetricData"
  else
    wrk.path = "/v1/metrics"
    wrk.headers["Content-Type"] = "application/json"
  end
end

done = function(summary, latency, requests)
  local ok = summary.requests - summary.errors.status - summary.errors.connect
    - summary.errors.read - summary.errors.write - summary.errors.timeout
  local secs = summary.duration / 1e6
  io.write(string.format("per_s %.0f\n", ok * 1000 / secs))
  io.write(string.format("body_bytes %d\n", #wrk.body))
  io.write(string.format("non_2xx %d\n", summary.errors.status))
  io.write(string.format("latency_p50_ms %.1f\n", latency:percentile(50) / 1000))
  io.write(string.format("latency_p99_ms %.1f\n", latency:percentile(99) / 1000))
end
