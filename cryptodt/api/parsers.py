"""The request body parser of every API view (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"])."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """DRF's JSONParser, except that JSON nested deeper than Python's recursion limit
    (``[[[[…]]]]`` ten thousand levels down, a few KB on the wire) is a malformed body:
    the json module raises RecursionError there, which DRF does not expect and which
    would otherwise leave as a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.")
