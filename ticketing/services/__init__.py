"""Writes for ticketing, by topic: ``catalogue`` (ticket types, quotas, vouchers), ``orders``
(reservations, confirmation, expiry), ``payments`` (Stripe, webhooks, refunds),
``waiting_list``."""
