-- wrk script for bench/load.py and bench/run.py: rotates GET requests over
-- the paths given after "--" on wrk's command line, counts response statuses
-- per wall-clock second, and writes everything the scripts read, as JSON, to
-- the file named by the BENCH_WRK_JSON environment variable.
--
--   BENCH_WRK_JSON=out.json wrk -t2 -c64 -d60s --latency -s bench/mix.lua \
--     -H 'X-Forwarded-Proto: https' http://127.0.0.1:8000 -- /healthz /readyz
--
-- A "{n}" in a path becomes a value no other request of the run sends
-- (BENCH_WRK_RUN, the thread's number and a counter), so that no response
-- cache can answer it: /api/v1/events/?page_size=100&_bench={n}
--
-- Each wrk thread runs its own Lua state: request() and response() below
-- count into that thread's globals, and done(), in the main state, gathers
-- them through the thread objects that setup() collected (wrk's
-- examples/setup.lua pattern).

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_number", #threads)
end

-- Per-thread state (globals, so that thread:get() can read them). Flat
-- tables only: wrk 4.1's thread:get() crashes copying a table of tables.
paths = {}
templated = {}        -- [index] = true when paths[index] holds "{n}"
next_path = 0
unique_prefix = ""
sent = 0
counts = {}           -- ["<epoch second> <status>"] = responses
no_retry_after = {}   -- [status] = non-2xx responses without a Retry-After header
-- The first non-2xx response of each status and Content-Type, by
-- "<status> <content type>":
sample_second = {}    -- when it came
sample_retry = {}     -- its Retry-After header
sample_body = {}      -- the start of its body

function init(args)
   for index, path in ipairs(args) do
      paths[index] = path
      templated[index] = string.find(path, "{n}", 1, true) ~= nil
   end
   unique_prefix = (os.getenv("BENCH_WRK_RUN") or tostring(os.time())) .. "-"
      .. tostring(thread_number) .. "-"
   if #paths == 0 then
      paths[1] = "/"
   end
   -- Threads start at different paths, so the mix is even from the first second.
   next_path = math.random(#paths) - 1
end

function request()
   next_path = next_path % #paths + 1
   local path = paths[next_path]
   if templated[next_path] then
      sent = sent + 1
      -- A function replacement: the value is used as it is, "%" included.
      path = string.gsub(path, "{n}", function()
         return unique_prefix .. sent
      end)
   end
   return wrk.format(nil, path)
end

function response(status, headers, body)
   local second = os.time()
   local key = second .. " " .. status
   counts[key] = (counts[key] or 0) + 1
   if status >= 200 and status < 300 then
      return
   end
   local retry_after = headers["Retry-After"]
   if retry_after == nil then
      no_retry_after[status] = (no_retry_after[status] or 0) + 1
   end
   local sample = status .. " " .. (headers["Content-Type"] or "")
   if sample_second[sample] == nil then
      sample_second[sample] = second
      sample_retry[sample] = retry_after or ""
      sample_body[sample] = string.sub(body or "", 1, 600)
   end
end

local function json_string(value)
   local escaped = string.gsub(tostring(value), '[%c"\\]', function(char)
      if char == '"' then
         return '\\"'
      elseif char == "\\" then
         return "\\\\"
      end
      return string.format("\\u%04x", string.byte(char))
   end)
   return '"' .. escaped .. '"'
end

local function json_value(value)
   local kind = type(value)
   if kind == "table" then
      local items = {}
      for key, item in pairs(value) do
         table.insert(items, json_string(key) .. ":" .. json_value(item))
      end
      return "{" .. table.concat(items, ",") .. "}"
   elseif kind == "number" then
      return string.format("%.17g", value)
   elseif kind == "boolean" then
      return tostring(value)
   end
   return json_string(value)
end

function done(summary, latency, requests)
   local merged_seconds = {}
   local merged_samples = {}
   local merged_no_retry_after = {}
   for _, thread in ipairs(threads) do
      for key, count in pairs(thread:get("counts")) do
         local second, status = string.match(key, "^(%d+) (%d+)$")
         local merged = merged_seconds[second]
         if merged == nil then
            merged = {}
            merged_seconds[second] = merged
         end
         merged[status] = (merged[status] or 0) + count
      end
      for status, count in pairs(thread:get("no_retry_after")) do
         merged_no_retry_after[status] = (merged_no_retry_after[status] or 0) + count
      end
      local retry = thread:get("sample_retry")
      local body = thread:get("sample_body")
      for sample, second in pairs(thread:get("sample_second")) do
         local kept = merged_samples[sample]
         if kept == nil or second < kept.second then
            merged_samples[sample] = {
               second = second,
               retry_after = retry[sample],
               body = body[sample],
            }
         end
      end
   end

   local result = {
      duration_us = summary.duration,
      requests = summary.requests,
      bytes = summary.bytes,
      errors = {
         connect = summary.errors.connect,
         read = summary.errors.read,
         write = summary.errors.write,
         status = summary.errors.status,
         timeout = summary.errors.timeout,
      },
      latency_us = {
         min = latency.min,
         max = latency.max,
         mean = latency.mean,
         stdev = latency.stdev,
         p50 = latency:percentile(50),
         p90 = latency:percentile(90),
         p99 = latency:percentile(99),
      },
      seconds = merged_seconds,
      samples = merged_samples,
      no_retry_after = merged_no_retry_after,
   }

   local path = os.getenv("BENCH_WRK_JSON")
   if path == nil or path == "" then
      io.stderr:write("mix.lua: set BENCH_WRK_JSON to the file the results go to\n")
      return
   end
   local file = assert(io.open(path, "w"))
   file:write(json_value(result))
   file:close()
end
