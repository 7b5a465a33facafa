-- wrk script for bench/run.py's scenario F: authenticated PATCHes of events,
-- each conditional on the ETag of the write before it.
--
-- Each wrk thread writes one event over one connection (run wrk with as many
-- connections as threads): every PATCH bumps the event's version, so the
-- If-Match of the next one is the ETag of the last 2xx response on that
-- thread. A 412 here would mean the script lost track of the version.
--
--   BENCH_WRK_JSON=out.json wrk -t2 -c2 -d10s --latency -s bench/patch.lua \
--     -H 'X-Forwarded-Proto: https' http://127.0.0.1:8000 -- TOKEN \
--     SLUG1 ETAG1 BODY1A BODY1B  SLUG2 ETAG2 BODY2A BODY2B
--
-- The bodies alternate (A, B, A, …), so every PATCH changes the event.
-- Statuses, failure samples and the JSON report are bench/mix.lua's.

local here = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
dofile(here .. "mix.lua")

local count_response = response

function init(args)
   local first = 2 + (thread_number - 1) * 4
   if args[first + 3] == nil then
      error("patch.lua: give a token, then a slug, ETag and two bodies per thread")
   end
   path = "/api/v1/events/" .. args[first] .. "/"
   etag = args[first + 1]
   bodies = { args[first + 2], args[first + 3] }
   written = 0
   -- wrk.format() sends only the headers it is given: keep Host and those of -H.
   headers = {}
   for name, value in pairs(wrk.headers) do
      headers[name] = value
   end
   headers["Authorization"] = "Token " .. args[1]
   headers["Content-Type"] = "application/json"
end

function request()
   headers["If-Match"] = etag
   return wrk.format("PATCH", path, headers, bodies[written % 2 + 1])
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      etag = headers["ETag"] or headers["Etag"] or headers["etag"] or etag
      written = written + 1
   end
   count_response(status, headers, body)
end
