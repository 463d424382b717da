"""The realtime package reads in one direction (docs/realtime.md): the consumer on top, then the
hub, then the adapter and the log, then the transport, the wire format and the names — so only
the consumer imports the hub, and no two realtime modules import each other."""

import grimp
import pytest

# Top to bottom; a module may import only modules of the layers below its own.
LAYERS = [
    ["consumer"],
    ["hub"],
    ["daphne_socket", "services", "selectors"],
    ["transport", "frames", "streams"],
]


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("eventhub", cache_dir=None)


def test_only_the_consumer_imports_the_hub(graph):
    assert graph.find_modules_that_directly_import("eventhub.realtime.hub") == {"eventhub.realtime.consumer"}


def test_each_realtime_module_imports_only_the_layers_below_it(graph):
    upward = [
        (module, imported)
        for index, layer in enumerate(LAYERS)
        for module in layer
        for imported in (name for higher in LAYERS[: index + 1] for name in higher)
        if imported != module
        and graph.direct_import_exists(importer=f"eventhub.realtime.{module}", imported=f"eventhub.realtime.{imported}")
    ]

    assert upward == []


def test_no_two_realtime_modules_import_each_other(graph):
    modules = sorted(
        module
        for module in graph.find_descendants("eventhub.realtime")
        if ".tests" not in module and ".migrations" not in module
    )
    cycles = [
        (first, second)
        for first in modules
        for second in modules
        if first < second
        and graph.chain_exists(importer=first, imported=second)
        and graph.chain_exists(importer=second, imported=first)
    ]

    assert {f"eventhub.realtime.{name}" for layer in LAYERS for name in layer} <= set(modules)
    assert cycles == []
