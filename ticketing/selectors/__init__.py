"""Reads for ticketing, by topic: ``sales`` (availability, the catalogue, the sales overview,
orders) and ``checkin`` (tickets, gates, devices, the scanner's ticket list, the live
dashboard); ``access`` is the check every ``*_access`` selector makes."""
