"""The API's JSON parser (``DEFAULT_PARSER_CLASSES``)."""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from eventhub.jsonbody import NestedTooDeeply, check_depth


class JSONParser(parsers.JSONParser):
    """DRF's parser catches ``ValueError`` only: a body nested deeper than the interpreter's
    recursion limit (``"[" * 100000``) raised ``RecursionError`` — a 500 with a traceback, from
    anyone, on every JSON endpoint. Too deep is malformed like any other bad JSON: a 400
    (``eventhub.jsonbody``)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
            check_depth(data)
        except (RecursionError, NestedTooDeeply):
            raise ParseError(f"JSON parse error - {NestedTooDeeply()}") from None
        return data
