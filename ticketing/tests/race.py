"""Many buyers at once against a live server: shared by the race test and bench/checkout.py."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Attempt:
    status: int
    code: str | None  # error code, or None for a created order
    seconds: float


def buy_all_at_once(*, base_url: str, event_id: int, ticket_type_id: int, tokens: list[str]) -> list[Attempt]:
    """One thread and one connection per buyer; all requests leave together (a barrier), each
    buying one ticket."""
    barrier = threading.Barrier(len(tokens))
    url = f"{base_url}/api/v1/events/{event_id}/orders"

    def buy(index: int) -> Attempt:
        token = tokens[index]
        body = {
            "positions": [
                {
                    "ticket_type": ticket_type_id,
                    "attendee_name": f"Buyer {index}",
                    "attendee_email": f"b{index}@example.org",
                }
            ]
        }
        with httpx.Client(timeout=60, headers={"X-Session-Token": token}) as client:
            client.get(f"{base_url}/api/v1/me")  # open the connection before the start signal
            barrier.wait()
            started = time.perf_counter()
            response = client.post(url, json=body, headers={"Idempotency-Key": f"race-{index}"})
            seconds = time.perf_counter() - started
        try:
            code = None if response.status_code == 201 else response.json()["error"]["code"]
        except ValueError:
            code = f"non-json {response.text[:80]!r}"
        return Attempt(status=response.status_code, code=code, seconds=seconds)

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        return list(pool.map(buy, range(len(tokens))))
