from axes.handlers.database import AxesDatabaseHandler


class AdminOnlyAxesHandler(AxesDatabaseHandler):
    """django-axes guards the admin login only. Its database handler records failed logins from
    every path despite ``AXES_ONLY_ADMIN_SITE`` and would lock the API out with an HTML page;
    the portal and the phone API are limited by allauth's ``ACCOUNT_RATE_LIMITS`` instead."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        if request is not None and not self.is_admin_request(request):
            return
        super().user_login_failed(sender, credentials, request, **kwargs)
