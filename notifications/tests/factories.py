import factory

from notifications.models import Message


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    channel = Message.Channel.SMS
    to = "+966501234567"
    template = "request_received"
    language = "ar"
    context = factory.LazyFunction(lambda: {"reference": "WHJ-2026-000001", "name": "نورة"})
    idempotency_key = factory.Sequence(lambda n: f"test:{n}")
