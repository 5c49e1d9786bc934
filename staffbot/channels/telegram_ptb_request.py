"""python-telegram-bot's request layer on aiohttp instead of httpx.

PTB builds every Bot API call and reads every answer; only the HTTP round trip goes
through :class:`AiohttpRequest` (PTB's ``BaseRequest``: one abstract method). With
httpx a call cost the bot about 1 ms of CPU, 0.3-0.5 ms with aiohttp (measured against
the Bot API double; docs/decisions/0009-performance.md), and a press sends a dozen.
aiohttp is already installed for aiogram.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]


def _given(value: Any, default: float | None) -> float | None:
    """PTB passes DEFAULT_NONE for "use the default"; None means "no limit"."""
    if isinstance(value, type(BaseRequest.DEFAULT_NONE)):
        return default
    return None if value is None else float(value)


class AiohttpRequest(BaseRequest):
    def __init__(
        self,
        *,
        pool_size: int = 12,
        connect_timeout: float = 10.0,
        read_timeout: float = 10.0,
        write_timeout: float = 30.0,
        media_write_timeout: float = 120.0,
        pool_timeout: float = 10.0,
    ) -> None:
        self._pool_size = pool_size
        self._connect = connect_timeout
        self._read = read_timeout
        self._write = write_timeout
        self._media_write = media_write_timeout
        self._pool = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        fields = request_data.json_parameters if request_data else None
        files = request_data.multipart_data if request_data else None
        body: Any = fields
        if files:
            form = aiohttp.FormData()
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime)
            body = form
        read = _given(read_timeout, self._read)
        write = _given(write_timeout, self._media_write if files else self._write)
        connect = _given(connect_timeout, self._connect)
        pool = _given(pool_timeout, self._pool)
        # aiohttp has no write timeout of its own: the whole call gets connect + write +
        # read; "connect" is waiting for a free connection of the pool and opening it.
        parts = (connect, write, read)
        total = None if any(p is None for p in parts) else sum(p for p in parts if p)
        timeout = aiohttp.ClientTimeout(
            total=total,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
