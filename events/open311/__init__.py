"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the grid events.

Mounted at /open311/v2/; see docs/open311.md for the mapping and `views` for the
endpoints. Read endpoints are public and show public-safe fields only; POST needs an
integrations API key with the `report` scope.
"""
