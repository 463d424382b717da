from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        # Registers the user:<id> stream kind, and the receivers that re-check sockets.
        from . import signals, streams  # noqa: F401, PLC0415 (app-ready)
