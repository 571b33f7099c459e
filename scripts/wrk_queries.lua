-- wrk script for scripts/wrk.sh: requests the paths listed one per line in
-- the file named by $PATHS_FILE in turn, each thread starting at a different
-- offset, and reports non-200 answers at the end.

local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do
  if line ~= "" then
    paths[#paths + 1] = line
  end
end
if #paths == 0 then
  error("no request paths in " .. tostring(os.getenv("PATHS_FILE")))
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter)
  table.insert(threads, thread)
end

function init(args)
  i = offset or 1
  non200 = 0
end

function request()
  local p = paths[(i % #paths) + 1]
  i = i + 1
  return wrk.format("GET", p)
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non200") or 0)
  end
  io.write(string.format("non-200 answers: %d of %d requests\n", bad, summary.requests))
  io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  for _, p in ipairs({50, 90, 95, 99, 99.9}) do
    io.write(string.format("latency p%g: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("throughput: %.1f requests/s\n", summary.requests / (summary.duration / 1e6)))
end
