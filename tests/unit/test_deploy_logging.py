"""JSON log lines: one object per record, article id and stage as fields, exceptions kept."""

from __future__ import annotations

import io
import logging
import logging.config

import orjson

from workers.logging import JsonFormatter, logging_config


def test_a_record_with_article_and_stage_becomes_one_json_object() -> None:
    record = logging.LogRecord("workers.runtime.agents", logging.WARNING, __file__, 1, "dead-lettered: %s",
                               ("invalid_json",), None)
    record.article_id = "a-1"
    record.stage = "extract"

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = orjson.loads(line)
    assert entry["message"] == "dead-lettered: invalid_json"
    assert entry["level"] == "warning"
    assert entry["logger"] == "workers.runtime.agents"
    assert (entry["article_id"], entry["stage"]) == ("a-1", "extract")
    assert entry["ts"].endswith("Z")
    assert "args" not in entry
    assert "msg" not in entry


def test_an_exception_is_kept_in_the_same_line() -> None:
    error = ValueError("boom")
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, (ValueError, error, None))
    entry = orjson.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in entry["exc_info"]


def test_json_config_routes_the_root_logger_through_the_formatter() -> None:
    config = logging_config("json", "info")
    assert config is not None
    stream = io.StringIO()
    config["handlers"]["default"]["stream"] = stream
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        logging.config.dictConfig(config)
        logging.getLogger("faust.worker").info("Ready", extra={"stage": "dedup"})
        logging.getLogger("faust.worker").debug("not at info level")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    [line] = stream.getvalue().splitlines()
    assert orjson.loads(line)["stage"] == "dedup"
    assert logging_config("text", "info") is None
