-- wrk: one lab-shaped record per POST, keep-alive.
wrk.method = "POST"
wrk.path = "/v1/events"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"PlayerID":4242,"Time Played":5321,"Wins":2,"Losses":17,"CaughtAt":2,"CaughtBy":2}'
