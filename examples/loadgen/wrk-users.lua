-- wrk script for the instrumentation-overhead benchmark: every request carries a user id drawn
-- uniformly from 100,000 users, the worst case for the per-user top-K (almost every request
-- evicts). Usage: wrk -s examples/loadgen/wrk-users.lua ... URL
request = function()
  return wrk.format(nil, nil, { ["X-User-Id"] = "user-" .. math.random(1, 100000) })
end
