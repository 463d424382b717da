"""The language switcher's target (templates/_language_switcher.html; docs/decisions.md
"Translations"): Django's ``set_language`` (the language cookie), and for a signed-in user also
their profile setting, so the choice sticks on their other devices and outranks the browser."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .middleware import SUPPORTED, remember_language
from .services import profile_update


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if language in SUPPORTED and request.user.is_authenticated:
        profile_update(user=request.user, language=language)
        remember_language(request, language)
    return response
