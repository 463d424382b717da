"""The ticketing portal's pages (namespace ``ticketing``): sales — the catalogue, orders and
refunds — under ``…/tickets/`` and check-in under ``…/checkin/``."""

from django.urls import path

from . import checkin, exports, orders, payments, sales

app_name = "ticketing"

_sales = "<slug:organization>/events/<slug:event>/tickets/"
_checkin = "<slug:organization>/events/<slug:event>/checkin/"

urlpatterns = [
    path(_sales, sales.sales, name="sales"),
    path(f"{_sales}types/", sales.ticket_types, name="ticket-types"),
    path(f"{_sales}types/new", sales.ticket_type_form, name="ticket-type-create"),
    path(f"{_sales}types/<int:ticket_type_id>/", sales.ticket_type_form, name="ticket-type-edit"),
    path(f"{_sales}quotas/", sales.quotas, name="quotas"),
    path(f"{_sales}quotas/new", sales.quota_form, name="quota-create"),
    path(f"{_sales}quotas/<int:quota_id>/", sales.quota_form, name="quota-edit"),
    path(f"{_sales}vouchers/", sales.vouchers, name="vouchers"),
    path(f"{_sales}vouchers/new", sales.voucher_form, name="voucher-create"),
    path(f"{_sales}vouchers/<int:voucher_id>/", sales.voucher_form, name="voucher-edit"),
    path(f"{_sales}orders/", orders.orders, name="orders"),
    path(f"{_sales}orders/<str:order_code>/", orders.order_detail, name="order"),
    path(f"{_sales}orders/<str:order_code>/refund", orders.order_refund, name="order-refund"),
    path(f"{_sales}orders/<str:order_code>/cancel", orders.order_cancel, name="order-cancel"),
    path(f"{_sales}orders/<str:order_code>/mark-paid", orders.order_mark_paid, name="order-mark-paid"),
    path(f"{_sales}orders/<str:order_code>/resend", orders.order_resend, name="order-resend"),
    path(f"{_sales}orders/<str:order_code>/extend", orders.order_extend, name="order-extend"),
    path(
        f"{_sales}orders/<str:order_code>/positions/<int:position_id>",
        orders.position_edit,
        name="order-position-edit",
    ),
    path(f"{_sales}orders/<str:order_code>/tickets.pdf", orders.order_pdf, name="order-pdf"),
    path("<slug:organization>/payments/", payments.payment_settings, name="payment-settings"),
    path("<slug:organization>/payments/test", payments.stripe_test, name="payment-settings-test"),
    path(_checkin, checkin.dashboard, name="checkin"),
    path(f"{_checkin}figures", checkin.figures, name="checkin-figures"),
    path(f"{_checkin}search", checkin.search, name="checkin-search"),
    path(f"{_checkin}tickets/<int:ticket_id>/check", checkin.manual_checkin, name="checkin-manual"),
    path(f"{_checkin}tickets/<int:ticket_id>/revoke", checkin.ticket_revoke_view, name="checkin-ticket-revoke"),
    path(f"{_checkin}tickets/<int:ticket_id>/reissue", checkin.ticket_reissue_view, name="checkin-ticket-reissue"),
    path(f"{_checkin}gates/", checkin.gates, name="checkin-gates"),
    path(f"{_checkin}gates/<int:gate_id>/", checkin.gate_edit, name="checkin-gate-edit"),
    path(f"{_checkin}devices/", checkin.devices, name="checkin-devices"),
    path(f"{_checkin}devices/<int:device_id>/revoke", checkin.device_revoke, name="checkin-device-revoke"),
    path(f"{_checkin}settings", checkin.settings_view, name="checkin-settings"),
    path(f"{_checkin}log", checkin.scan_log, name="checkin-log"),
    path(f"{_checkin}attendees", checkin.attendee_list, name="checkin-attendees"),
]

# Exports (issue 10): CSV or XLSX, streamed (ticketing/portal/exports.py).
_exports = "<slug:organization>/events/<slug:event>/exports/"
for _fmt in ("csv", "xlsx"):
    urlpatterns += [
        path(f"{_exports}orders.{_fmt}", exports.orders_export, {"fmt": _fmt}, name=f"export-orders-{_fmt}"),
        path(f"{_exports}attendees.{_fmt}", exports.attendees_export, {"fmt": _fmt}, name=f"export-attendees-{_fmt}"),
        path(f"{_exports}checkins.{_fmt}", exports.checkins_export, {"fmt": _fmt}, name=f"export-checkins-{_fmt}"),
    ]
