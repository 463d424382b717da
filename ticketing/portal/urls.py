from django.urls import include, path

from . import views

app_name = "ticketing"

_event = "<slug:organization>/events/<slug:event>/tickets/"

urlpatterns = [
    path(_event, views.sales, name="sales"),
    path(f"{_event}types/", views.ticket_types, name="ticket-types"),
    path(f"{_event}types/new", views.ticket_type_create, name="ticket-type-create"),
    path(f"{_event}types/<int:ticket_type_id>/", views.ticket_type_edit, name="ticket-type-edit"),
    path(f"{_event}quotas/", views.quotas, name="quotas"),
    path(f"{_event}quotas/new", views.quota_create, name="quota-create"),
    path(f"{_event}quotas/<int:quota_id>/", views.quota_edit, name="quota-edit"),
    path(f"{_event}vouchers/", views.vouchers, name="vouchers"),
    path(f"{_event}vouchers/new", views.voucher_create, name="voucher-create"),
    path(f"{_event}vouchers/<int:voucher_id>/", views.voucher_edit, name="voucher-edit"),
    path(f"{_event}orders/", views.orders, name="orders"),
    path(f"{_event}orders/<str:order_code>/", views.order_detail, name="order"),
    path(f"{_event}orders/<str:order_code>/refund", views.order_refund, name="order-refund"),
    path("", include("ticketing.portal.checkin_urls")),
]
