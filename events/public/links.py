"""Where the public pages link into the attendee app (``/app/``, a PWA with hash routes; its
routes are ``static/app/screens/index.js``: ``#/e/<event>/agenda``, ``…/sessions/<id>``,
``…/speakers/<id>``, ``…/tickets``)."""

APP_ROOT = "/app/"


def app_event_url(event_id: int) -> str:
    return f"{APP_ROOT}#/e/{event_id}/agenda"


def app_session_url(event_id: int, session_id: int) -> str:
    return f"{APP_ROOT}#/e/{event_id}/sessions/{session_id}"


def app_speaker_url(event_id: int, speaker_id: int) -> str:
    return f"{APP_ROOT}#/e/{event_id}/speakers/{speaker_id}"
