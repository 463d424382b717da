"""Test-only settings for the negative control of the gate race: scans skip the ticket row
lock, so two gates scanning one ticket at once can both answer ``ok``. Never used outside
``ticketing/tests/test_checkin_live.py``."""

from eventhub.settings import *  # noqa: F403

TICKETING_LOCK_TICKETS = False
