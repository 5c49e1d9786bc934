"""HTML pages from the templates beside this module, without a template engine.

A template is a ``string.Template`` (``$name`` placeholders). Every value is
HTML-escaped when substituted unless it is :class:`Safe` (markup this package built
from escaped parts), so forgetting to escape is not possible by accident.
"""

from __future__ import annotations

import html
from functools import lru_cache
from importlib import resources
from string import Template


class Safe(str):
    """Markup that is already safe to insert as it is."""

    __slots__ = ()


def esc(value: object) -> Safe:
    if isinstance(value, Safe):
        return value
    return Safe(html.escape(str(value), quote=True))


def join(parts: list[Safe] | tuple[Safe, ...], sep: str = "\n") -> Safe:
    return Safe(sep.join(esc(p) for p in parts))


def tag(name: str, content: object = "", /, **attrs: object) -> Safe:
    """``<name attr="...">content</name>``; attribute names use ``_`` for ``-``,
    a trailing ``_`` is dropped (``class_``); None/False attributes are left out."""
    rendered = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        attr = key.rstrip("_").replace("_", "-")
        rendered.append(attr if value is True else f'{attr}="{esc(value)}"')
    open_tag = " ".join([name, *rendered])
    return Safe(f"<{open_tag}>{esc(content)}</{name}>")


def void_tag(name: str, /, **attrs: object) -> Safe:
    """An element without content or end tag (``<meta>``, ``<input>``)."""
    return Safe(tag(name, **attrs).removesuffix(f"></{name}>") + ">")


@lru_cache(maxsize=32)
def _template(name: str) -> Template:
    text = resources.files("staffbot.web").joinpath("templates", name).read_text("utf-8")
    return Template(text)


def render(name: str, /, **values: object) -> Safe:
    return Safe(_template(name).substitute({k: esc(v) for k, v in values.items()}))


def page(
    title: str,
    body: Safe,
    *,
    meta: Safe | None = None,
    script: str | None = None,
    body_class: str = "",
) -> str:
    """A whole page in the common layout."""
    scripts = tag("script", "", src=f"/static/{script}", defer=True) if script else Safe("")
    return render(
        "base.html",
        title=title,
        body=body,
        meta=meta or Safe(""),
        scripts=scripts,
        body_class=body_class,
    )
