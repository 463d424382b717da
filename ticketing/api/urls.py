from django.urls import include, path

from . import views

urlpatterns = [
    path("events/<int:event_id>/ticket-types", views.TicketTypeListView.as_view(), name="ticket-types"),
    path(
        "events/<int:event_id>/ticket-types/<int:ticket_type_id>/waiting-list",
        views.WaitingListJoinView.as_view(),
        name="waiting-list-join",
    ),
    path("events/<int:event_id>/orders", views.OrderCreateView.as_view(), name="order-create"),
    path("events/<int:event_id>/orders/<str:order_code>", views.OrderDetailView.as_view(), name="order-detail"),
    path(
        "events/<int:event_id>/orders/<str:order_code>/payment-intent",
        views.OrderPaymentIntentView.as_view(),
        name="order-payment-intent",
    ),
    path(
        "events/<int:event_id>/orders/<str:order_code>/checkout-session",
        views.CheckoutSessionView.as_view(),
        name="order-checkout-session",
    ),
    path("stripe/webhook", views.StripeWebhookView.as_view(), name="stripe-webhook"),
    path("", include("ticketing.api.checkin_urls")),
]
