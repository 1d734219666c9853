-- wrk: 500 lab-shaped records per POST as NDJSON, keep-alive.
-- Counts records from the server's answers so the summary reports records/s.
wrk.method = "POST"
wrk.path = "/v1/streams/bench/records"
wrk.headers["Content-Type"] = "application/x-ndjson"
local lines = {}
for i = 1, 500 do
  lines[i] = string.format(
    '{"PlayerID":%d,"Time Played":%d,"Wins":%d,"Losses":%d,"CaughtAt":%d,"CaughtBy":%d}',
    (i * 7919) % 10000, (i * 104729) % 100000, i % 6, i % 51, i % 6 + 1, (i * 3) % 6 + 1)
end
wrk.body = table.concat(lines, "\n") .. "\n"

done = function(summary, latency, requests)
  local ok = summary.requests - summary.errors.status - summary.errors.connect
    - summary.errors.read - summary.errors.write - summary.errors.timeout
  local secs = summary.duration / 1e6
  io.write(string.format("records_per_s %.0f\n", ok * 500 / secs))
  io.write(string.format("non_2xx %d\n", summary.errors.status))
end
