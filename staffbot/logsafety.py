"""No personal data and no secret in a log line, whoever logs it.

Installed once by the command line (staffbot/cli/root.py: every verb and the running bot):

* the configured secrets (bot token, WhatsApp token and app secret, webhook secret, BSrE
  password) are replaced by ``***`` wherever they appear, tracebacks included;
* anything shaped like a NIK or KK number (16 digits) or an Indonesian mobile number is
  masked the way chat cards mask them (``1806********0001``, ``+62 812-****-7890``);
* the libraries that echo whole requests and updates at DEBUG or INFO (httpx logs every
  URL, and a Telegram URL carries the bot token; python-telegram-bot and aiogram log
  updates, which carry typed PINs) are capped, so those lines are never made at all.

The scrubbing happens when a record is created (a log-record factory), so it applies to
every handler, including pytest's caplog.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable
from typing import Any

from staffbot.masking import mask_free_text

#: Library loggers and the lowest level they may log at.
CAPPED = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "hpack": logging.WARNING,
    "aiohttp": logging.WARNING,
    "telegram": logging.INFO,
    "aiogram": logging.INFO,
    "pywa": logging.INFO,
    "pywa_async": logging.INFO,
    "sqlalchemy.engine": logging.WARNING,
    "uvicorn.access": logging.WARNING,
    "multipart": logging.WARNING,
}

#: A Telegram bot token (``123456:AA...``), also inside URLs (``/bot123456:AA.../``).
_BOT_TOKEN = re.compile(r"(?:(?<=bot)|(?<![\w]))\d{3,}:[A-Za-z0-9_-]{10,}")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}")

_secrets: set[str] = set()
_installed = False


def redact(text: str) -> str:
    """The text with secrets removed and NIK / phone numbers masked."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    text = _BOT_TOKEN.sub("<token>", text)
    text = _BEARER.sub(r"\1***", text)
    return mask_free_text(text)


def install(secrets: Iterable[str | None] = ()) -> None:
    """Scrub every log record from now on; may be called again with more secrets."""
    global _installed
    _secrets.update(s for s in secrets if s and len(s) >= 4)
    for name, level in CAPPED.items():
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < level:
            logger.setLevel(level)
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _scrub(record)
        return record

    logging.setLogRecordFactory(factory)


def _scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: keep the template, drop the arguments
        message = str(record.msg)
    record.msg = redact(message)
    record.args = None
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


__all__ = ["CAPPED", "install", "redact"]
