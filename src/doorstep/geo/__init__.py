"""geo layer: travel times and distances (see DESIGN.md and docs/road-networks.md).

Public surface, imported from its module (this package imports nothing itself, so
``import doorstep.geo.provider`` does not pull in scipy or pyosmium):

* ``provider``: ``TravelTimeProvider``, ``TravelMatrix``, ``UnroutablePoint``.
* ``straight_line``: ``StraightLineProvider`` (the default; needs no data).
* ``road_network``: ``load_network(name_or_path)``, ``RoadNetworkProvider(network)``,
  ``packaged_networks()``; ``network_build.build_network(osm_file, out)``.
* ``osrm.OsrmProvider`` / ``valhalla.ValhallaProvider`` with ``http_matrix.ServerSettings``.
* ``traffic``: ``TrafficProfile``, ``TrafficBand``, ``LONDON``, ``FREE_FLOW``.
* ``time_dependent.timeline(...)``: ETAs along an ordered route.
* ``matrix_cache``: ``CachedProvider(provider, MatrixCache(folder))``.
"""
