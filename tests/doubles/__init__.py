"""Local HTTP test doubles of the chat platforms (Telegram Bot API, WhatsApp Cloud API).

The real client libraries talk to them over HTTP on 127.0.0.1. Import from the
submodules (`tests.doubles.telegram`, `tests.doubles.whatsapp`); names are also
available here lazily so that `python -m tests.doubles.telegram` does not import the
module twice.
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "TelegramDouble": ".telegram",
    "WhatsAppDouble": ".whatsapp",
    "routed_httpx_client": ".whatsapp",
    "FaultPlan": "._common",
    "Clock": "._common",
    "ControlClient": ".control",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(_LAZY[name], __name__), name)
