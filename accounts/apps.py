from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        # Registers the user:<id> stream kind.
        from . import streams  # noqa: F401, PLC0415 (app-ready)
