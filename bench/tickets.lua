-- wrk script: each request carries the next of many players' routing tickets (one per line in
-- RW_TICKETS_FILE), so the gateway's player accounting sees a realistic crowd rather than one player.
local tickets = {}
for line in io.lines(os.getenv("RW_TICKETS_FILE")) do
  tickets[#tickets + 1] = line
end

local next_ticket = 0

request = function()
  next_ticket = next_ticket % #tickets + 1
  wrk.headers["X-Route-Ticket"] = tickets[next_ticket]
  return wrk.format()
end
