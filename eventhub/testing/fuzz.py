"""The fuzzing harnesses' budget (issue 11): the three parsers that take hostile bytes — QR
payloads on the scan API, Stripe webhook bodies, WebSocket frames — each have a hypothesis
harness (tests marked ``fuzz``). In CI a harness runs ``FUZZ_EXAMPLES`` examples (default 40)
once; with ``FUZZ_MINUTES`` set (``scripts/fuzz``) it runs rounds of 500 examples, each round
with its own seed, until the minutes are spent, and reports how many it ran.

hypothesis has no time budget of its own; rounds with fresh seeds cover more than one long run
(which would spend its time shrinking and replaying its database), and each round's failure is
reproducible from the seed printed with it."""

import os
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, seed, settings

ROUND = 500

COMMON: dict[str, Any] = {
    "deadline": None,  # requests under load; speed is not what is checked
    "database": None,  # nothing written into the work tree
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    "phases": [Phase.generate, Phase.target, Phase.shrink],
}


def fuzz(test: Callable[[], None], *, label: str) -> int:
    """Run a ``@given`` test (without ``@settings``) within the budget; returns the examples run.
    A failure propagates with hypothesis's falsifying example and the round's seed."""
    minutes = float(os.environ.get("FUZZ_MINUTES", "0") or 0)
    if minutes <= 0:
        examples = int(os.environ.get("FUZZ_EXAMPLES", "40"))
        settings(max_examples=examples, derandomize=True, **COMMON)(test)()
        return examples
    deadline = time.monotonic() + minutes * 60
    rounds = 0
    configured = settings(max_examples=ROUND, **COMMON)(test)  # once: settings decorate in place
    while time.monotonic() < deadline:
        round_seed = int(os.environ.get("FUZZ_SEED", "0")) + rounds
        try:
            seed(round_seed)(configured)()
        except Exception as error:
            error.add_note(f"{label}: round {rounds} with FUZZ_SEED={round_seed}")
            raise
        rounds += 1
    print(f"\n{label}: {rounds} rounds, {rounds * ROUND} examples in {minutes:g} min, no failure")  # noqa: T201
    return rounds * ROUND
