"""The central system's seams served across processes, over Redis: the Redis twins of the
in-memory implementations beside them in ``csms/``.

* ``redis_stations.py``: ``RedisStations``, the stations of every CSMS node (a directory and a
  ``StationCalls`` path; the twin of ``Registry`` and ``local_calls.InProcessCalls``), with
  ``redis_station_presence.py`` (a node's stations' presence keys, written, renewed and
  deleted), ``redis_call_watch.py`` (what becomes of a call whose node went away) and
  ``redis_presence.py`` (a node's presence, and the marking offline of a gone node's stations).
* ``redis_command_state.py``: what a command shares with the station's handlers
  (``command_state.py``'s ``PendingStarts`` and ``AwaitedReports``) when they run on two nodes.
* ``redis_events.py``: ``RedisEvents``, every node's events in every node's ``EventHub``.

They use the Redis client and outage handling of ``bus/redis_connection.py``: the bus sits
below the central system and imports nothing of it. Each module is imported from its own
path, so that a process without Redis does not load the client.
"""
