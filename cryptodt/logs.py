"""Log formats: readable lines by default, one JSON object per line with LOG_FORMAT=json.

Both go through the standard ``logging`` module, so Django's, granian's and the apps'
loggers need no change; structlog's ProcessorFormatter turns each record into JSON with
the fields bound for the current request (``request_id``, see cryptodt.observability)
and anything passed as ``extra=``.
"""

import logging

import structlog

# LogRecord's own attributes: everything else on a record came from ``extra=``.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def _extra_fields(_logger, _name, event: dict) -> dict:
    record = event.get("_record")
    if record is not None:
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_") and key not in event:
                event[key] = value
    return event


def json_formatter() -> structlog.stdlib.ProcessorFormatter:
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True, key="ts"),
            _extra_fields,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(default=str),
        ],
    )


class PlainFormatter(logging.Formatter):
    """The default line format, with the request id when the line belongs to a request."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        return f"{line} [request_id={request_id}]" if request_id else line
