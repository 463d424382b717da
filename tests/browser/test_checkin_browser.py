"""The check-in dashboard in a real browser against a real daphne: figures move live as scanner
devices check people in through the scan API, the occupancy alert appears past the threshold,
and an operator checks someone in by name (htmx, no reload). Screenshots in var/screenshots/."""

import httpx
import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from eventhub.testing.live import session_token_for
from ticketing.services.checkin import checkin_config_update
from ticketing.tests.checkin_helpers import paid_tickets, payload, venue

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_checkin_dashboard_live_and_manual_checkin(page: Page, server, screenshot, no_reload):
    v = venue(gates=2, devices=2)
    with scopes_disabled():
        checkin_config_update(actor=v.owner, event=v.event, capacity=5, alert_threshold_percent=60)
    tickets = paid_tickets(event=v.event, ticket_type=v.regular, count=4)
    (ada,) = paid_tickets(event=v.event, ticket_type=v.vip, count=1, prefix="Ada Lovelace")
    codes = [payload(t) for t in tickets]
    page.context.add_cookies([{"name": "sessionid", "value": session_token_for(v.operator), "url": server}])
    org, slug = v.event.organization.slug, v.event.slug

    page.goto(f"{server}/portal/{org}/events/{slug}/checkin/")
    expect(page.get_by_role("heading", name=f"Check-in · {v.event.name}")).to_be_visible()
    expect(page.locator("[data-live-status]")).to_have_text("live")
    expect(page.locator("#inside-count")).to_have_text("0")
    expect(page.locator("#outstanding-count")).to_have_text("5")
    no_reload.set()
    screenshot("checkin-01-dashboard-empty")

    with httpx.Client(base_url=server) as api:
        for index, code in enumerate(codes[:3]):
            response = api.post(
                f"/api/v1/events/{v.event.pk}/scanner/scan",
                json={"payload": code},
                headers={"Authorization": f"Device {v.tokens[index % 2]}"},
            )
            assert response.json()["result"] == "ok"

    expect(page.locator("#inside-count")).to_have_text("3")
    expect(page.locator("#arrived-count")).to_have_text("3")
    expect(page.locator("#outstanding-count")).to_have_text("2")
    expect(page.locator("[data-occupancy-alert]")).to_be_visible()  # 3 of 5 = 60 %
    expect(page.locator("#scan-feed li")).to_have_count(3)
    expect(page.locator("#gate-figures tr[data-gate] [data-gate-entries]").first).to_have_text("2")
    no_reload.assert_same()
    screenshot("checkin-02-dashboard-live")

    page.get_by_label("Name, order code or email").fill("lovelace")
    row = page.locator(f"tr[data-ticket='{ada.pk}']")
    expect(row).to_contain_text("Ada Lovelace")
    expect(row).to_contain_text("not inside")
    row.get_by_label("Gate").select_option(label="Gate B")
    screenshot("checkin-03-search")
    row.get_by_role("button", name="Check in").click()

    expect(page.locator("#checkin-notice")).to_contain_text("checked in.")
    expect(page.locator(f"tr[data-ticket='{ada.pk}']")).to_contain_text("inside")
    expect(page.locator("#inside-count")).to_have_text("4")
    expect(page.locator("#scan-feed li").first).to_contain_text("Ada Lovelace")
    expect(page.locator("#scan-feed li").first).to_contain_text("Gate B (manual)")
    no_reload.assert_same()
    screenshot("checkin-04-manual-checkin")


def test_device_registration_shows_token_once(page: Page, server, screenshot):
    v = venue(gates=1, devices=0)
    page.context.add_cookies([{"name": "sessionid", "value": session_token_for(v.owner), "url": server}])

    page.goto(f"{server}/portal/{v.event.organization.slug}/events/{v.event.slug}/checkin/devices/")
    page.get_by_label("Name").fill("North entrance phone 1")
    page.get_by_label("Gate").select_option(label="Gate A")
    page.get_by_role("button", name="Register").click()

    token = page.get_by_test_id("device-token").inner_text()
    assert token.startswith("ehd_")
    screenshot("checkin-05-device-token")
    config = httpx.get(
        f"{server}/api/v1/events/{v.event.pk}/scanner/config", headers={"Authorization": f"Device {token}"}
    )
    assert config.json()["gate"]["name"] == "Gate A"

    page.reload()
    expect(page.get_by_test_id("device-token")).to_have_count(0)
    dialogs: list[str] = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator("#devices")).to_contain_text("revoked")
    assert dialogs == ["Revoke the scanner “North entrance phone 1”? Its token stops working at once."]
    screenshot("checkin-06-device-revoked")
    revoked = httpx.get(
        f"{server}/api/v1/events/{v.event.pk}/scanner/config", headers={"Authorization": f"Device {token}"}
    )
    assert revoked.status_code == 401
