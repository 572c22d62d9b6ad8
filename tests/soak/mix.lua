-- SPDX-License-Identifier: Apache-2.0
-- mix.lua -- wrk script for the mod_cors soak test (run by tests/soak/soak.py).
--
--   wrk -t2 -c200 -d60s -s tests/soak/mix.lua http://127.0.0.1:PORT/ -- KINDS_FILE
--
-- KINDS_FILE has one request kind a line, tab-separated:
--
--   name <TAB> expected status <TAB> expected Access-Control-Allow-Origin ("-": none;
--        "?VALUE": VALUE or none, for an origin that a changing map may hold or not)
--        <TAB> the raw request, hex-encoded
--
-- Each raw request carries "X-Kind: <name>", which the server echoes back
-- (`Header always set X-Kind "expr=%{req:X-Kind}" early`), so that response() knows which
-- kind it is looking at although one wrk thread drives many connections.  A request
-- the server rejects before reading its headers (400) cannot be echoed: a response
-- without X-Kind is counted under "(no-kind)", and the kind file may name the one
-- kind whose answer that is expected to be (status 400).
--
-- Each thread goes round the kinds in order, starting at a different place.
-- response() checks the status and the Access-Control-Allow-Origin of every
-- response; done() prints machine-readable lines for soak.py:
--
--   SOAK total requests=N duration_us=N connect=N read=N write=N timeout=N status=N
--   SOAK kind NAME sent=N got=N bad_status=N bad_acao=N with_acao=N statuses=204:N,403:N
--   SOAK bad KIND status=N acao=VALUE        (the first few mismatches, per thread)

local kinds = {}        -- array of {name, status, acao, req}
local by_name = {}
local n = 0
local unkeyed = nil     -- name of the kind whose answers carry no X-Kind

-- per-thread counters (flat tables: wrk copies them to done() with thread:get())
sent = {}
got = {}
bad_status = {}
bad_acao = {}
with_acao = {}          -- answers that carried Access-Control-Allow-Origin
statuses = {}           -- "name|status" -> count
bad_samples = {}        -- first mismatches, as strings
thread_id = 0

local threads = {}

function setup(thread)
    table.insert(threads, thread)
    thread:set("thread_id", #threads)
end

local function unhex(s)
    return (s:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end))
end

function init(args)
    local path = args[1]
    if not path then
        error("mix.lua: give the kinds file after --")
    end
    for line in io.lines(path) do
        local name, status, acao, hex = line:match("^([^\t]+)\t(%d+)\t([^\t]*)\t(%x+)$")
        if name then
            local k = { name = name, status = tonumber(status), acao = acao, req = unhex(hex) }
            table.insert(kinds, k)
            by_name[name] = k
            sent[name], got[name], bad_status[name], bad_acao[name] = 0, 0, 0, 0
            with_acao[name] = 0
            if not k.req:find("\r\nX%-Kind: ") then
                unkeyed = name
            end
        end
    end
    n = #kinds
    if n == 0 then
        error("mix.lua: no kinds in " .. path)
    end
    counter = (thread_id * 7) % n
end

function request()
    counter = counter + 1
    local k = kinds[(counter % n) + 1]
    sent[k.name] = sent[k.name] + 1
    return k.req
end

local function note_bad(name, status, acao)
    if #bad_samples < 5 then
        table.insert(bad_samples, string.format("%s status=%d acao=%s", name, status,
                                                tostring(acao)))
    end
end

function response(status, headers, body)
    local kind, acao, acao_count = nil, nil, 0
    for key, value in pairs(headers) do
        local lk = key:lower()
        if lk == "x-kind" then
            kind = value
        elseif lk == "access-control-allow-origin" then
            acao = value
            acao_count = acao_count + 1
        end
    end
    local name = kind or unkeyed or "(no-kind)"
    local k = by_name[name]
    if not k then
        name = "(unknown:" .. tostring(kind) .. ")"
        got[name] = (got[name] or 0) + 1
        bad_status[name] = (bad_status[name] or 0) + 1
        note_bad(name, status, acao)
        return
    end
    got[name] = got[name] + 1
    local sk = name .. "|" .. status
    statuses[sk] = (statuses[sk] or 0) + 1
    if status ~= k.status then
        bad_status[name] = bad_status[name] + 1
        note_bad(name, status, acao)
    end
    if acao ~= nil then
        with_acao[name] = with_acao[name] + 1
    end
    local want = k.acao
    if want == "-" then want = nil end
    local either = want ~= nil and want:sub(1, 1) == "?"
    if either then
        want = want:sub(2)
    end
    if acao_count > 1 or (acao ~= want and not (either and acao == nil)) then
        bad_acao[name] = bad_acao[name] + 1
        note_bad(name, status, acao)
    end
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("SOAK total requests=%d duration_us=%d connect=%d read=%d " ..
                           "write=%d timeout=%d status=%d\n", summary.requests,
                           summary.duration, e.connect, e.read, e.write, e.timeout, e.status))
    io.write(string.format("SOAK latency mean_us=%d p99_us=%d max_us=%d\n", latency.mean,
                           latency:percentile(99.0), latency.max))
    local total = { sent = {}, got = {}, bad_status = {}, bad_acao = {}, with_acao = {},
                    statuses = {} }
    local names, seen = {}, {}
    local samples = {}
    for _, t in ipairs(threads) do
        for _, field in ipairs({ "sent", "got", "bad_status", "bad_acao", "with_acao",
                                 "statuses" }) do
            local tbl = t:get(field) or {}
            for key, value in pairs(tbl) do
                total[field][key] = (total[field][key] or 0) + value
                if field ~= "statuses" and not seen[key] then
                    seen[key] = true
                    table.insert(names, key)
                end
            end
        end
        for _, s in ipairs(t:get("bad_samples") or {}) do
            table.insert(samples, s)
        end
    end
    table.sort(names)
    for _, name in ipairs(names) do
        local st = {}
        for key, value in pairs(total.statuses) do
            local kname, code = key:match("^(.*)|(%d+)$")
            if kname == name then
                table.insert(st, code .. ":" .. value)
            end
        end
        table.sort(st)
        io.write(string.format("SOAK kind %s sent=%d got=%d bad_status=%d bad_acao=%d " ..
                               "with_acao=%d statuses=%s\n", name, total.sent[name] or 0,
                               total.got[name] or 0, total.bad_status[name] or 0,
                               total.bad_acao[name] or 0, total.with_acao[name] or 0,
                               table.concat(st, ",")))
    end
    for _, s in ipairs(samples) do
        io.write("SOAK bad " .. s .. "\n")
    end
end
