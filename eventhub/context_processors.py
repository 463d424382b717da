from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    """The organizations and events for the portal's switcher (only on portal pages)."""
    if not request.path.startswith("/portal") or not request.user.is_authenticated:
        return {}
    from events.selectors import portal_switcher

    return {"switcher": portal_switcher(user=request.user)}
