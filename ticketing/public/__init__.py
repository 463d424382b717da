"""Ticketing's public web shop: the tickets block of the public event page (``sections``), a
cart kept in the session, the checkout that places the order through ``services.orders`` and
pays it through the Stripe Checkout Session of ``services.payments`` (the same web checkout the
API offers), and the buyer's order page."""
