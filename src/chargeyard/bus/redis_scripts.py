"""The Lua scripts of :class:`~chargeyard.bus.redis_bus.RedisBus`: every step that reads where
a charger's messages go and then moves them runs as one script, so that Redis executes it
atomically (a ``leave`` can never slip between a ``publish`` reading the holder and pushing to
its queue, which would strand the message in a queue nobody reads).

Every script takes the bus's key prefix as ``ARGV[1]`` and builds its keys from it:

* ``{p}holders`` (hash charger -> node) and ``{p}held:{node}`` (set of a node's chargers);
* ``{p}nodes`` (sorted set node -> join order; the lowest is the placement node) and
  ``{p}joins`` (the counter that orders them);
* ``{p}alive:{node}`` (a key with a TTL of :data:`ALIVE_TTL_S`, set as the node joins and holds
  and renewed by its readers): a node without it died without leaving (``kill -9``), and the
  first script that would route to it, or that holds one of its chargers for another node (a
  lease adopted), makes it leave instead, so its chargers' messages and the placement of new
  ones go to a node that is there;
* ``{p}commands:{node}`` / ``{p}requests:{node}`` (lists, one message a line, oldest first) and
  ``{p}backlog:commands`` / ``{p}backlog:requests`` while no node is there;
* ``{p}moved:{request id}`` (a key with a TTL of :data:`MOVED_TTL_S`): the node a request was
  handed on to from the queue of a node that left, or from the backlog, for its asker's watch
  (``WATCH``) to look for it there.

The keys are built inside the scripts, so the bus needs one Redis (or one cluster slot), not a
cluster spread over slots.
"""

from __future__ import annotations

ALIVE_TTL_S = 15
"""How long a node that stops renewing its ``alive`` key (its readers do, every few seconds)
is still routed to: within this, a killed worker's chargers and new placements move on."""

MOVED_TTL_S = 300
"""How long the node a request was handed on to is remembered (``{p}moved:{id}``): longer
than an asker waits for an answer (``gateway/runtime_client.py``'s deadline)."""

_ROUTING = """
local P = ARGV[1]
local ALIVE_TTL = {alive_ttl}
local MOVED_TTL = {moved_ttl}

local function alive(node)
  return redis.call('EXISTS', P .. 'alive:' .. node) == 1
end

local function queue(kind, node)
  if node == '' then return P .. 'backlog:' .. kind end
  return P .. kind .. ':' .. node
end

local evict

local function destination(charger, ttl)
  local node = redis.call('HGET', P .. 'holders', charger)
  if node and alive(node) then return node end
  if node then evict(node, ttl) end
  while true do
    local first = redis.call('ZRANGE', P .. 'nodes', 0, 0)[1]
    if not first then return '' end
    if alive(first) then return first end
    evict(first, ttl)
  end
end

-- Returns the node the item went to ('' the backlog).
local function push(kind, charger, item, ttl)
  local node = destination(charger, ttl)
  local key = queue(kind, node)
  redis.call('RPUSH', key, item)
  redis.call('EXPIRE', key, ttl)
  return node
end

-- A request taken from one queue and pushed to where it goes now, which is remembered for its
-- asker's watch (and returned).
local function hand_on_request(item, ttl)
  local request = cjson.decode(item)['request']
  local node = push('requests', request['charger_ids'][1] or '', item, ttl)
  redis.call('SET', P .. 'moved:' .. request['request_id'], node, 'EX', MOVED_TTL)
  return node
end

-- The node leaves: its chargers are released, it is forgotten, and what it had not taken goes
-- where it goes without it (never taken, so never delivered: still at most once).
evict = function(node, ttl)
  local held = P .. 'held:' .. node
  for _, charger in ipairs(redis.call('SMEMBERS', held)) do
    if redis.call('HGET', P .. 'holders', charger) == node then
      redis.call('HDEL', P .. 'holders', charger)
    end
  end
  redis.call('DEL', held, P .. 'alive:' .. node)
  redis.call('ZREM', P .. 'nodes', node)
  local commands = queue('commands', node)
  for _, item in ipairs(redis.call('LRANGE', commands, 0, -1)) do
    push('commands', cjson.decode(item)['charger_id'], item, ttl)
  end
  redis.call('DEL', commands)
  local requests = queue('requests', node)
  for _, item in ipairs(redis.call('LRANGE', requests, 0, -1)) do hand_on_request(item, ttl) end
  redis.call('DEL', requests)
end

local function join(node, ttl)
  redis.call('SET', P .. 'alive:' .. node, 1, 'EX', ALIVE_TTL)
  local seq = redis.call('ZSCORE', P .. 'nodes', node)
  if seq then return tonumber(seq) end
  seq = redis.call('INCR', P .. 'joins')
  redis.call('ZADD', P .. 'nodes', seq, node)
  if redis.call('ZCARD', P .. 'nodes') == 1 then
    -- The first node is the placement node: it takes what waited for one.
    for _, item in ipairs(redis.call('LRANGE', P .. 'backlog:commands', 0, -1)) do
      push('commands', '', item, ttl)
    end
    for _, item in ipairs(redis.call('LRANGE', P .. 'backlog:requests', 0, -1)) do
      hand_on_request(item, ttl)
    end
    redis.call('DEL', P .. 'backlog:commands', P .. 'backlog:requests')
  end
  return seq
end
"""

_JOIN = """
-- ARGV: prefix, ttl, node. Returns the node's join order (a left node comes back as new).
return join(ARGV[3], ARGV[2])
"""

_PUBLISH = """
-- ARGV: prefix, ttl, max queue length, kind, then (charger, item) pairs, in order. Returns the
-- node each item went to ('' the backlog).
local kind, limit = ARGV[4], tonumber(ARGV[3])
local nodes = {}
for i = 5, #ARGV, 2 do
  local key = queue(kind, destination(ARGV[i], ARGV[2]))
  if redis.call('LLEN', key) >= limit then
    return redis.error_reply('bus queue ' .. key .. ' is full')
  end
  nodes[#nodes + 1] = push(kind, ARGV[i], ARGV[i + 1], ARGV[2])
end
return nodes
"""

_ROUTE = """
-- ARGV: prefix, ttl, then charger ids. Returns the node of each ('' while no node is there).
local nodes = {}
for i = 3, #ARGV do nodes[#nodes + 1] = destination(ARGV[i], ARGV[2]) end
return nodes
"""

_HOLD = """
-- ARGV: prefix, ttl, node, then charger ids.
local node = ARGV[3]
join(node, ARGV[2])
local dead = {}
for i = 4, #ARGV do
  local before = redis.call('HGET', P .. 'holders', ARGV[i])
  if before and before ~= node then
    redis.call('SREM', P .. 'held:' .. before, ARGV[i])
    if not alive(before) then dead[before] = true end
  end
  redis.call('HSET', P .. 'holders', ARGV[i], node)
  redis.call('SADD', P .. 'held:' .. node, ARGV[i])
end
-- A holder that died without leaving (its chargers adopted here) leaves now: what it had not
-- taken follows its chargers, to this node for those held here, rather than wait in its queue
-- for a message routed to it, which none may ever be.
for before in pairs(dead) do evict(before, ARGV[2]) end
return 0
"""

_REHOLD = """
-- ARGV: prefix, ttl, node, then charger ids: the node joins and holds them again after Redis
-- forgot it (restarted empty, or the node was taken for gone), except a charger that another
-- live node holds by now (it runs there).
local node = ARGV[3]
local seq = join(node, ARGV[2])
for i = 4, #ARGV do
  local before = redis.call('HGET', P .. 'holders', ARGV[i])
  if not before or before == node or not alive(before) then
    if before and before ~= node then redis.call('SREM', P .. 'held:' .. before, ARGV[i]) end
    redis.call('HSET', P .. 'holders', ARGV[i], node)
    redis.call('SADD', P .. 'held:' .. node, ARGV[i])
  end
end
return seq
"""

_WATCH = """
-- ARGV: prefix, ttl, node, request id, envelope: a request pushed to the node's queue and not
-- answered yet. Returns {what, node}, the node where it is now: 'moved', taken back from the
-- queue of a node that is gone or whose charger another live node holds now, and pushed to where
-- it goes now (LREM: never while a node may have taken it); 'gone', taken by a node that is gone
-- (it will not answer); else 'waiting'.
local node, id, item = ARGV[3], ARGV[4], ARGV[5]
node = redis.call('GET', P .. 'moved:' .. id) or node  -- (handed on by a node's leaving)
local key = queue('requests', node)
if redis.call('LPOS', key, item) then
  local charger = cjson.decode(item)['request']['charger_ids'][1]
  local holder = charger and redis.call('HGET', P .. 'holders', charger)
  local stranded = node ~= '' and not alive(node)
  if stranded or (holder and holder ~= node and alive(holder)) then
    redis.call('LREM', key, 1, item)
    return {'moved', hand_on_request(item, ARGV[2])}
  end
  return {'waiting', node}
end
if node == '' or alive(node) then return {'waiting', node} end
return {'gone', node}
"""

_RELEASE = """
-- ARGV: prefix, node, then charger ids (those another node holds are left as they are).
local node = ARGV[2]
for i = 3, #ARGV do
  if redis.call('HGET', P .. 'holders', ARGV[i]) == node then
    redis.call('HDEL', P .. 'holders', ARGV[i])
  end
  redis.call('SREM', P .. 'held:' .. node, ARGV[i])
end
return 0
"""

_LEAVE = """
-- ARGV: prefix, ttl, node.
evict(ARGV[3], ARGV[2])
return 0
"""


def scripts(alive_ttl_s: int = ALIVE_TTL_S) -> dict[str, str]:
    """Every script by name (``JOIN``, ``PUBLISH``, ``ROUTE``, ``HOLD``, ``REHOLD``,
    ``WATCH``, ``RELEASE``, ``LEAVE``), a node's ``alive`` key living ``alive_ttl_s`` in them."""
    routing = _ROUTING.replace("{alive_ttl}", str(alive_ttl_s)).replace(
        "{moved_ttl}", str(MOVED_TTL_S)
    )
    bodies = {
        "JOIN": _JOIN,
        "PUBLISH": _PUBLISH,
        "ROUTE": _ROUTE,
        "HOLD": _HOLD,
        "REHOLD": _REHOLD,
        "WATCH": _WATCH,
        "RELEASE": _RELEASE,
        "LEAVE": _LEAVE,
    }
    return {name: routing + body for name, body in bodies.items()}
