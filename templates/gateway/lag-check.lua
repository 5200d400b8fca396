-- Block-height lag check of Sovereign RPC gateway {{gateway}}; rendered by core/gateway/haproxy.ts.
-- HAProxy's own checks see one server at a time; this task compares them. Every {{interval}} ms it
-- asks each server of each chain for its head, the way the chain's RPC kind says (core/rpc-kinds),
-- takes the best head among servers HAProxy holds up, and drains (weight 0: no new requests) every
-- server more than maxLag blocks behind it, behind by its own account (the kind's parser says
-- stale), or that has not answered {{fall}} times in a row (one slow answer on a busy host drains
-- nothing: HAProxy's own checks take out a server that is gone). A drained server that catches up
-- is made ready again by the same loop. A server dialled over mTLS has a `dst`: an in-process
-- listener of haproxy.cfg that does the TLS with the gateway's client certificate.
local chains = {{chains}}
local interval = {{interval}}
local timeout = {{timeout}}
local fall = {{fall}}
-- Per RPC kind: the request that asks for the head, and parse(body, maxLag) -> head, stale.
local kinds = {{kinds}}

-- Credentials of nodes that want them, by backend: read once at start (as root, before HAProxy
-- drops privileges) from the secret map; never logged.
local auth = {}
local auth_file = {{upstreamAuth}}
if auth_file ~= nil then
  for line in io.lines(auth_file) do
    local key, value = string.match(line, "^(%S+)%s+(.+)$")
    if key ~= nil then auth[key] = value end
  end
end

local function head_of(chain, s)
  local kind = kinds[chain.kind]
  local headers = { ["content-type"] = { "application/json" }, ["host"] = { "localhost" } }
  if auth[chain.backend] ~= nil then headers["authorization"] = { auth[chain.backend] } end
  local ok, res = pcall(function()
    return core.httpclient():post { url = s.url, dst = s.dst, body = kind.body, headers = headers, timeout = timeout }
  end)
  if not ok or res == nil or res.status ~= 200 or res.body == nil then return nil end
  return kind.parse(res.body, chain.maxLag)
end

local function is_up(server)
  local status = server:get_stats()["status"] or ""
  return string.find(status, "UP", 1, true) ~= nil or string.find(status, "DRAIN", 1, true) ~= nil
end

local drained = {}
local misses = {}

local function check(chain)
  local proxy = core.backends[chain.backend]
  if proxy == nil then return end
  local heads, stale, best = {}, {}, nil
  for _, s in ipairs(chain.servers) do
    local server = proxy.servers[s.name]
    if server ~= nil then
      local h, behind = head_of(chain, s)
      heads[s.name], stale[s.name] = h, behind
      if h ~= nil and not behind and is_up(server) and (best == nil or h > best) then best = h end
    end
  end
  for _, s in ipairs(chain.servers) do
    local server = proxy.servers[s.name]
    if server ~= nil then
      local h = heads[s.name]
      local key = chain.backend .. "/" .. s.name
      if h == nil then misses[key] = (misses[key] or 0) + 1 else misses[key] = 0 end
      local silent = h == nil and misses[key] >= fall
      local lagging = (h ~= nil and stale[s.name]) or (best ~= nil and (silent or (h ~= nil and best - h > chain.maxLag)))
      if lagging and not drained[key] then
        server:set_drain()
        drained[key] = true
        core.log(core.warning, string.format("lag-check: %s drained (head %s, best %s, max lag %d%s)",
          key, tostring(h), tostring(best), chain.maxLag, stale[s.name] and ", behind by its own account" or ""))
      elseif not lagging and drained[key] and h ~= nil then
        server:set_ready()
        drained[key] = nil
        core.log(core.info, string.format("lag-check: %s ready again (head %s)", key, tostring(h)))
      end
    end
  end
end

core.register_task(function()
  while true do
    for _, chain in ipairs(chains) do
      local ok, err = pcall(check, chain)
      if not ok then core.log(core.err, "lag-check: " .. chain.backend .. ": " .. tostring(err)) end
    end
    core.msleep(interval)
  end
end)
