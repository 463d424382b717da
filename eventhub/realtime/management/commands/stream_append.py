"""Append entries to a stream from this process, e.g. to drive the fan-out benchmark:
manage.py stream_append --stream event:1 --count 20 --interval 0.3
"""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from eventhub.realtime.services import stream_append

BENCH_TICK = "bench.tick"


class Command(BaseCommand):
    help = "Append N entries to a stream, each in its own transaction, INTERVAL seconds apart."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--stream", required=True)
        parser.add_argument("--count", type=int, default=1)
        parser.add_argument("--interval", type=float, default=0.0)
        parser.add_argument("--type", default=BENCH_TICK)
        parser.add_argument("--payload-bytes", type=int, default=0, help="Pad each entry's data to about this size.")

    def handle(
        self, *args: Any, stream: str, count: int, interval: float, type: str, payload_bytes: int, **options: Any
    ) -> None:
        padding = {"padding": "x" * payload_bytes} if payload_bytes else {}
        for index in range(count):
            with transaction.atomic():
                entry = stream_append(stream=stream, type=type, data={"index": index, **padding})
            self.stdout.write(f"{entry.stream} {entry.seq}")
            if interval and index < count - 1:
                time.sleep(interval)
