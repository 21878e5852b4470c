"""The command line's log lines: JSON for shippers, key=value for people, naming the request."""

from __future__ import annotations

import io
import json
import logging

import pytest
import structlog

from adapters.request_context import note_workspace, serving
from bootstrap.logs import QUIET, configure_logging, default_format, formatter
from bootstrap.settings import SettingsError, load_log_settings


def _line(log_format: str, emit: object) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(log_format))
    logger = logging.getLogger("produl_neon.test_logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        assert callable(emit)
        emit(logger)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue().strip()


def _within_a_request(logger: logging.Logger) -> None:
    with serving("lb-42"):
        note_workspace("ws-1")
        logger.info("GET %s %d", "/api/dashboards/{dashboard_id}", 200, extra={"status": 200})


def test_json_lines_carry_the_request_the_workspace_and_the_extra_fields() -> None:
    line = json.loads(_line("json", _within_a_request))
    assert line["event"] == "GET /api/dashboards/{dashboard_id} 200"
    assert (line["request_id"], line["workspace_id"], line["status"]) == ("lb-42", "ws-1", 200)
    assert (line["level"], line["logger"]) == ("info", "produl_neon.test_logs")
    assert line["timestamp"].endswith("Z")


def test_console_lines_are_key_value_for_people() -> None:
    line = _line("console", _within_a_request)
    assert "GET /api/dashboards/{dashboard_id} 200" in line
    assert "request_id=lb-42" in line and "workspace_id=ws-1" in line and "{" in line


def test_outside_a_request_no_request_fields_are_invented() -> None:
    line = json.loads(_line("json", lambda logger: logger.warning("migrating")))
    assert "request_id" not in line and "workspace_id" not in line


def test_a_traceback_is_one_json_field() -> None:
    def failing(logger: logging.Logger) -> None:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logger.exception("unhandled")

    line = json.loads(_line("json", failing))
    assert "RuntimeError: boom" in line["exception"]


def test_the_format_follows_the_mode_unless_chosen() -> None:
    assert default_format(fake=True, terminal=False) == "console"
    assert default_format(fake=False, terminal=True) == "console"
    assert default_format(fake=False, terminal=False) == "json"
    assert load_log_settings({}).format is None and load_log_settings({}).level == "INFO"
    chosen = load_log_settings({"PRODUL_LOG_FORMAT": "json", "PRODUL_LOG_LEVEL": "debug"})
    assert (chosen.format, chosen.level) == ("json", "DEBUG")
    for wrong in ({"PRODUL_LOG_FORMAT": "xml"}, {"PRODUL_LOG_LEVEL": "LOUD"}):
        with pytest.raises(SettingsError):
            load_log_settings(wrong)


def test_at_debug_the_libraries_that_print_urls_and_headers_stay_at_warning() -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in QUIET}
    try:
        configure_logging("json", logging.DEBUG)
        assert root.level == logging.DEBUG
        # httpx: URLs with queries; httpcore and aiohttp (under httpx for live Neon): raw headers
        for name in ("httpx", "httpcore", "aiohttp"):
            assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING
    finally:
        root.handlers[:], root.level = saved
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        structlog.reset_defaults()
