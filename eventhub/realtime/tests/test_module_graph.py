"""The realtime package reads in one direction (docs/realtime.md): the consumer on top, then the
hub, then the transport, frames, selectors and names — so only the consumer imports the hub, and
no two realtime modules import each other, however indirectly."""

import grimp
import pytest


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("eventhub", cache_dir=None)


def _realtime_modules(graph) -> list[str]:
    return sorted(
        module
        for module in graph.find_descendants("eventhub.realtime")
        if ".tests" not in module and ".migrations" not in module
    )


def test_only_the_consumer_imports_the_hub(graph):
    assert graph.find_modules_that_directly_import("eventhub.realtime.hub") == {"eventhub.realtime.consumer"}


def test_no_two_realtime_modules_import_each_other(graph):
    modules = _realtime_modules(graph)
    cycles = [
        (first, second)
        for first in modules
        for second in modules
        if first < second
        and graph.chain_exists(importer=first, imported=second)
        and graph.chain_exists(importer=second, imported=first)
    ]

    assert "eventhub.realtime.transport" in modules
    assert cycles == []
