"""Interactive maps that open with no network: zoning coverage and funded posts.

Modules follow the data's path: :mod:`~zoning.map.data` reads the store,
:mod:`~zoning.map.geometry` simplifies the communes as one coverage,
:mod:`~zoning.map.coverage` and :mod:`~zoning.map.posts` draw the maps,
:mod:`~zoning.map.render` and :mod:`~zoning.map.assets` write self-contained HTML
(Leaflet and plugins inlined from npm packages; our own scripts and styles are files in
``templates/`` and ``static/``, see :mod:`~zoning.map.element`), and
:mod:`~zoning.map.figures` writes the planners' table and chart. Nothing heavy is imported here.
"""
