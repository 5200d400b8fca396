-- Block-height lag check of Sovereign RPC gateway {{gateway}}; rendered by core/gateway/haproxy.ts.
-- HAProxy's own checks see one server at a time; this task compares them. Every {{interval}} ms it
-- asks each server of each chain for eth_blockNumber, takes the best head among servers HAProxy
-- holds up, and drains (weight 0: no new requests) every server more than maxLag blocks behind it,
-- or that has not answered {{fall}} times in a row (one slow answer on a busy host drains nothing:
-- HAProxy's own checks take out a server that is gone). A drained server that catches up is made
-- ready again by the same loop. A server dialled over mTLS has a `dst`: an in-process listener of
-- haproxy.cfg that does the TLS with the gateway's client certificate.
local chains = {{chains}}
local interval = {{interval}}
local timeout = {{timeout}}
local fall = {{fall}}
local body = '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}'
local headers = { ["content-type"] = { "application/json" } }

local function head_of(s)
  local ok, res = pcall(function()
    return core.httpclient():post { url = s.url, dst = s.dst, body = body, headers = headers, timeout = timeout }
  end)
  if not ok or res == nil or res.status ~= 200 or res.body == nil then return nil end
  local hex = string.match(res.body, '"result"%s*:%s*"0x(%x+)"')
  if hex == nil then return nil end
  return tonumber(hex, 16)
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
  local heads, best = {}, nil
  for _, s in ipairs(chain.servers) do
    local server = proxy.servers[s.name]
    if server ~= nil then
      local h = head_of(s)
      heads[s.name] = h
      if h ~= nil and is_up(server) and (best == nil or h > best) then best = h end
    end
  end
  for _, s in ipairs(chain.servers) do
    local server = proxy.servers[s.name]
    if server ~= nil then
      local h = heads[s.name]
      local key = chain.backend .. "/" .. s.name
      if h == nil then misses[key] = (misses[key] or 0) + 1 else misses[key] = 0 end
      local silent = h == nil and misses[key] >= fall
      local lagging = best ~= nil and (silent or (h ~= nil and best - h > chain.maxLag))
      if lagging and not drained[key] then
        server:set_drain()
        drained[key] = true
        core.log(core.warning, string.format("lag-check: %s drained (head %s, best %d, max lag %d)",
          key, tostring(h), best, chain.maxLag))
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
