"""The web shop (namespace ``shop``), under the public event page's ``events/<id>/``."""

from django.urls import path

from . import views

app_name = "shop"

_event = "events/<int:event_id>/"

urlpatterns = [
    path(f"{_event}tickets/", views.tickets, name="tickets"),
    path(f"{_event}checkout/", views.checkout, name="checkout"),
    path(f"{_event}orders/<str:order_code>/", views.order, name="order"),
    path(f"{_event}orders/<str:order_code>/pay", views.order_pay, name="order-pay"),
]
