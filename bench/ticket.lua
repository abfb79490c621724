-- wrk script: every request carries the routing ticket the runner obtained from Discovery.
wrk.headers["X-Route-Ticket"] = os.getenv("RW_TICKET")
