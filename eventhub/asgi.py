import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventhub.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from eventhub.bodylimit import BodyLimitASGI, install_daphne_body_limit  # noqa: E402
from eventhub.logs import install_daphne_access_log  # noqa: E402
from eventhub.realtime.consumer import StreamConsumer  # noqa: E402
from eventhub.scheduler import start_embedded_scheduler  # noqa: E402

# Authentication and the Origin check happen in the consumer: token sockets skip cookies and
# need no Origin, cookie sockets must pass the allowlist (DESIGN §3).
application = ProtocolTypeRouter(
    {
        "http": BodyLimitASGI(django_asgi_app),  # a body over the limit is refused unread
        "websocket": URLRouter([path("ws/v1/", StreamConsumer.as_asgi())]),
    }
)
install_daphne_access_log()  # bearer links out of daphne's access log
install_daphne_body_limit()  # an oversized body is refused before daphne reads it
start_embedded_scheduler()
