"""EventHub's PostgreSQL backend (``ENGINE = "eventhub.db"``): Django's, plus one retry of a
connection's first query when the connection turns out dead (docs/decisions.md "Dead database
connections")."""
