from decimal import Decimal

import factory

from eventhub.testing.factories import EventFactory

from ..models import Quota, TicketType


class TicketTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketType

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Ticket {n}")
    price = Decimal("0.00")
    currency = "EUR"


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quota
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Quota {n}")
    size = 100

    @factory.post_generation
    def ticket_types(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.ticket_types.set(extracted)
