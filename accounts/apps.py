from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from . import streams  # noqa: F401  (registers the user:<id> stream kind)
