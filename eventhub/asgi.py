import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventhub.settings")
django.setup(set_prefix=False)

from eventhub.lanes import LaneASGIHandler  # noqa: E402

# Token API reads take a lean middleware stack (eventhub/lanes.py), everything else the whole one.
django_asgi_app = LaneASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from eventhub.bodylimit import BodyLimitASGI, install_daphne_body_limit  # noqa: E402
from eventhub.logs import install_daphne_access_log  # noqa: E402
from eventhub.realtime.consumer import StreamConsumer  # noqa: E402
from eventhub.realtime.daphne_socket import stop_twisted_form_parsing  # noqa: E402
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
stop_twisted_form_parsing()  # Django parses request bodies, Twisted need not (nor refuse them)
start_embedded_scheduler()
