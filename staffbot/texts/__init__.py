"""Every text the bot shows, in Bahasa Indonesia (default) and English.

``t(key, lang, **params)`` formats a catalog entry; ``error_text(err, lang)`` turns any
StaffbotError into the sentence a person reads. A missing English entry falls back
to Indonesian; a missing key is a bug and raises KeyError.
"""

from __future__ import annotations

from typing import Any

from flows.errors import StaffbotError
from staffbot.errors import ValidationError
from staffbot.texts.en import TEXTS as EN
from staffbot.texts.id import TEXTS as ID

# Re-exported: the command line's calendar listing imports it from here.
from staffbot.timefmt import day_name as day_name

CATALOGS: dict[str, dict[str, str]] = {"id": ID, "en": EN}


def _merge_document_errors() -> None:
    # The documents package carries the wording of its own error codes.
    from staffbot.documents.errors import ERROR_TEXTS

    for code, wording in ERROR_TEXTS.items():
        for lang, text in wording.items():
            CATALOGS[lang].setdefault(f"error.{code}", text)


_merge_document_errors()


def t(key: str, lang: str = "id", /, **params: Any) -> str:
    template = CATALOGS.get(lang, ID).get(key)
    if template is None:
        template = ID[key]
    return template.format(**params) if params else template


def has(key: str) -> bool:
    return key in ID


def error_text(error: StaffbotError, lang: str = "id") -> str:
    if isinstance(error, ValidationError):
        key = f"invalid.{error.params.get('field')}.{error.params.get('problem')}"
        if has(key):
            return t(key, lang, **error.params)
    key = f"error.{error.code}"
    if has(key):
        try:
            return t(key, lang, **error.params)
        except (KeyError, IndexError):
            pass
    return t("error.generic", lang)
