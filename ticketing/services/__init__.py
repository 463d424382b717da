"""Writes for ticketing, by topic. Sales: ``catalogue`` (ticket types, quotas, vouchers),
``orders`` (reservations, confirmation, expiry), ``payments`` (Stripe, webhooks, refunds),
``waiting_list``, and ``notify`` (what reaches the buyer). Tickets and check-in: ``tickets``
(issuing, signing, QR, revoke and reissue), ``checkin`` (letting a ticket in or out, manual
check-in, undo, occupancy, settings), ``scanner`` (devices, QR scans, offline batches),
``gates``. Every refusal is a domain error (``eventhub.errors``)."""
