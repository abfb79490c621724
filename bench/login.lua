-- wrk script: Discovery logins with a different player id per request, so stickiness is exercised.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"playerId":"p-%d","deviceId":"d-%d","platform":"ios","clientBuild":"1.0.4"}', n % 100000, n % 100000)
  return wrk.format(nil, nil, nil, body)
end
