"""Log output: plain text for people (the default) or one JSON object a line for collectors.

`KWISSLE_LOG_FORMAT=json` makes every log event one line on stderr:
`{"time", "level", "logger", "message"}`, plus `exception` (the formatted
traceback) when there is one, `stack` when asked for, and every extra field the
call passed (`log.info("...", extra={"battle": id})`). Python warnings go
through logging too, so nothing else reaches stderr in that format.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Attributes every LogRecord has: anything else on a record came from `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in entry:
                entry[name] = value
        # default=repr: an extra field that is not JSON (a Path, an exception) is still written.
        return json.dumps(entry, ensure_ascii=False, default=repr)


def configure(log_format: str = "text", level: int = logging.INFO) -> None:
    """Send every log event to stderr in `log_format` ("text" or "json"), replacing earlier handlers."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(log_format == "json")
