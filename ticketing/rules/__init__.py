"""Permission predicates for ticketing, by area: ``sales`` (catalogue, orders, refunds, buying)
and ``checkin`` (gates, scanner devices, scans, the live dashboard). Importing the package —
django-rules' autodiscovery does, at startup — registers them all."""

from . import checkin, sales  # noqa: F401  (registers the permissions)
