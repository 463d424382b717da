"""The events app's reads, one module per topic, named as in ``services/``: ``organizations``,
``agenda``, ``schedule``, ``personal`` (with the offline bundle), ``calendar``, ``displays``."""
