"""JSON from strangers: request bodies (the API, allauth's endpoints) and WebSocket frames.

``json.loads`` recurses once per nesting level, so a document nested deeper than the
interpreter's recursion limit (``"[" * 100000``) raises ``RecursionError`` — not the
``ValueError`` every parser catches — and one just under it parses, then breaks whatever walks
it next (a serializer's ``json.dumps``, a ``JSONField``). No document we accept nests beyond a
few levels, so anything deeper than ``MAX_DEPTH`` is malformed, like any other bad JSON.
"""

import json
from typing import Any

MAX_DEPTH = 32


class NestedTooDeeply(ValueError):
    def __init__(self) -> None:
        super().__init__(f"JSON nested more than {MAX_DEPTH} levels deep.")


def check_depth(value: Any) -> None:
    """Raise ``NestedTooDeeply`` for a parsed document deeper than ``MAX_DEPTH`` (no recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > MAX_DEPTH:
            raise NestedTooDeeply
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def loads(text: str | bytes) -> Any:
    """``json.loads`` that raises ``ValueError`` for every malformed document, the too deeply
    nested included."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise NestedTooDeeply from None
    check_depth(value)
    return value
