"""The Lua scripts of ``_streams_bus.RedisStreamsBus``: the routing of ``bus/redis_scripts.py``
(holders, nodes in join order, ``alive`` keys, the backlog), with a stream per node and kind
where that module has a list.

What differs:

* a message is a stream entry ``c <charger> m <message>``: the charger that routes it travels
  beside the message, so handing a queue on reads the field instead of decoding the JSON;
* every node stream has one consumer group, ``nodes``, whose one consumer is the node. A node
  reads a batch (``XREADGROUP``: delivered, pending in the group) and then takes it (``TAKE``:
  each entry acknowledged and deleted, if it is still pending): the stream holds exactly what no
  consumer took, the pending entries what a reader read and has not taken yet;
* a node that leaves, or is found dead (its ``alive`` key gone), hands on every entry of its
  streams, the pending ones included: what a killed node had read and not taken is served by a
  live node. An entry is handed on or taken, never both (``TAKE`` finds it gone from the
  group), so a node taken for gone while it was only stalled serves nothing twice.

Every script takes the key prefix as ``ARGV[1]``, as in ``bus/redis_scripts.py``.
"""

from __future__ import annotations

from chargeyard.bus.redis_scripts import ALIVE_TTL_S

GROUP = "nodes"
"""The consumer group of every node stream (its one consumer is the node)."""

_ROUTING = """
local P = ARGV[1]
local ALIVE_TTL = {alive_ttl}
local GROUP = '{group}'

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

local function push(kind, charger, item, ttl)
  local node = destination(charger, ttl)
  local key = queue(kind, node)
  redis.call('XADD', key, '*', 'c', charger, 'm', item)
  redis.call('EXPIRE', key, ttl)
  return node
end

-- Hand on every entry of a node stream (what no consumer of the node took: never read, or read
-- and not yet taken) to where its charger goes now, oldest first, after ``unread`` (charger,
-- message pairs its reader took off the stream and had not handed to its consumer), and delete
-- the stream (its group with it).
local function hand_on(kind, key, ttl, unread)
  for i = 1, #unread, 2 do push(kind, unread[i], unread[i + 1], ttl) end
  if redis.call('EXISTS', key) == 0 then return end
  for _, entry in ipairs(redis.call('XRANGE', key, '-', '+')) do
    local fields = entry[2]
    push(kind, fields[2], fields[4], ttl)
  end
  redis.call('DEL', key)
end

-- The node leaves (or is found dead): its chargers are released, it is forgotten, and what its
-- consumers did not take goes where it goes without it.
evict = function(node, ttl, unread)
  unread = unread or {commands = {}, requests = {}}
  local held = P .. 'held:' .. node
  for _, charger in ipairs(redis.call('SMEMBERS', held)) do
    if redis.call('HGET', P .. 'holders', charger) == node then
      redis.call('HDEL', P .. 'holders', charger)
    end
  end
  redis.call('DEL', held, P .. 'alive:' .. node)
  redis.call('ZREM', P .. 'nodes', node)
  hand_on('commands', queue('commands', node), ttl, unread['commands'])
  hand_on('requests', queue('requests', node), ttl, unread['requests'])
end

-- A node's streams with their group, reading from the first entry (what was routed to the node
-- before its reader came is delivered too).
local function ready(node, ttl)
  for _, kind in ipairs({'commands', 'requests'}) do
    local key = queue(kind, node)
    pcall(redis.call, 'XGROUP', 'CREATE', key, GROUP, '0', 'MKSTREAM')  -- (BUSYGROUP: it has)
    if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ttl) end
  end
end

local function join(node, ttl)
  redis.call('SET', P .. 'alive:' .. node, 1, 'EX', ALIVE_TTL)
  ready(node, ttl)
  local seq = redis.call('ZSCORE', P .. 'nodes', node)
  if seq then return tonumber(seq) end
  seq = redis.call('INCR', P .. 'joins')
  redis.call('ZADD', P .. 'nodes', seq, node)
  if redis.call('ZCARD', P .. 'nodes') == 1 then
    -- The first node is the placement node: it takes what waited for one.
    hand_on('commands', P .. 'backlog:commands', ttl, {})
    hand_on('requests', P .. 'backlog:requests', ttl, {})
  end
  return seq
end
"""

_JOIN = """
-- ARGV: prefix, ttl, node. Returns the node's join order (a left node comes back as new).
return join(ARGV[3], ARGV[2])
"""

_READY = """
-- ARGV: prefix, ttl, node: its streams and their group made again (Redis lost them), if it is
-- still a node (one that left or was evicted joins again first). Returns 1 if it is.
if not redis.call('ZSCORE', P .. 'nodes', ARGV[3]) then return 0 end
ready(ARGV[3], ARGV[2])
return 1
"""

_PUBLISH = """
-- ARGV: prefix, ttl, max queue length, kind, then (charger, item) pairs, in order. Returns the
-- node each item went to ('' the backlog).
local kind, limit = ARGV[4], tonumber(ARGV[3])
local nodes = {}
for i = 5, #ARGV, 2 do
  local key = queue(kind, destination(ARGV[i], ARGV[2]))
  if redis.call('XLEN', key) >= limit then
    return redis.error_reply('bus queue ' .. key .. ' is full')
  end
  nodes[#nodes + 1] = push(kind, ARGV[i], ARGV[i + 1], ARGV[2])
end
return nodes
"""

_TAKE = """
-- ARGV: prefix, stream, then the ids its reader read: each one that is still the group's pending
-- entry (not handed on meanwhile, the node being taken for gone) is acknowledged and deleted:
-- taken. Returns those ids.
local key, taken = ARGV[2], {}
for i = 3, #ARGV do
  if redis.call('XACK', key, GROUP, ARGV[i]) == 1 then
    redis.call('XDEL', key, ARGV[i])
    taken[#taken + 1] = ARGV[i]
  end
end
return taken
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
-- ARGV: prefix, ttl, node, then charger ids (as in redis_scripts.py).
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
-- ARGV: prefix, ttl, node, n, then n values: the (charger, message) pairs of the commands its
-- reader took off its stream and had not handed to its consumer; after them, those of requests.
local n, unread = tonumber(ARGV[4]), {commands = {}, requests = {}}
for i = 5, #ARGV do
  local kind = 'requests'
  if i < 5 + n then kind = 'commands' end
  table.insert(unread[kind], ARGV[i])
end
evict(ARGV[3], ARGV[2], unread)
return 0
"""


def scripts(alive_ttl_s: int = ALIVE_TTL_S) -> dict[str, str]:
    """Every script by name (those of ``redis_scripts.scripts`` and ``READY``, ``TAKE``), a
    node's ``alive`` key living ``alive_ttl_s`` in them."""
    routing = _ROUTING.replace("{alive_ttl}", str(alive_ttl_s)).replace("{group}", GROUP)
    bodies = {
        "JOIN": _JOIN,
        "READY": _READY,
        "PUBLISH": _PUBLISH,
        "TAKE": _TAKE,
        "ROUTE": _ROUTE,
        "HOLD": _HOLD,
        "REHOLD": _REHOLD,
        "RELEASE": _RELEASE,
        "LEAVE": _LEAVE,
    }
    return {name: routing + body for name, body in bodies.items()}
