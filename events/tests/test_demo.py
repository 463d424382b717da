"""``seed_demo`` shows the live features (issue 10, gap 10): three schedule versions (a delay, a
move, a cancellation), announcements, a door-display link it prints, and a staff admin account;
running it twice changes nothing."""

import io

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from accounts.models import User
from events.models import Announcement, DisplayLink, ScheduleVersion

pytestmark = pytest.mark.django_db


def test_seed_demo_has_a_schedule_history_announcements_a_display_and_an_admin():
    out = io.StringIO()
    call_command("seed_demo", "--allow-non-demo", stdout=out)
    call_command("seed_demo", "--allow-non-demo", stdout=io.StringIO())

    with scopes_disabled():
        versions = list(ScheduleVersion.objects.order_by("number"))
        link = DisplayLink.objects.get()
        announcements = Announcement.objects.count()
    kinds = [sorted({change["change"] for change in version.changes}) for version in versions[1:]]
    assert [version.number for version in versions] == [1, 2, 3]
    assert kinds == [["delayed"], ["cancelled", "moved"]]
    assert announcements == 3
    assert f"Door display (Main Hall): /displays/{link.token}" in out.getvalue()
    admin = User.objects.get(email="admin@example.com")
    assert (admin.is_staff, admin.is_superuser) == (True, True)
