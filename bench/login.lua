-- wrk script: Discovery logins with a different player id per request, so stickiness is exercised.
-- With RW_CONFIG set, every other login reports that config version (an up-to-date client); the rest report none.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local config = os.getenv("RW_CONFIG")
local n = 0
request = function()
  n = n + 1
  local body
  if config and n % 2 == 0 then
    body = string.format('{"playerId":"p-%d","deviceId":"d-%d","platform":"ios","clientBuild":"1.0.4","configVersion":"%s"}', n % 100000, n % 100000, config)
  else
    body = string.format('{"playerId":"p-%d","deviceId":"d-%d","platform":"ios","clientBuild":"1.0.4"}', n % 100000, n % 100000)
  end
  return wrk.format(nil, nil, nil, body)
end
