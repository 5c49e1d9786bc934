"""Machinery shared by the platform doubles: clock, fault plan, call log, server base.

The doubles are real HTTP servers (aiohttp) on 127.0.0.1 so that the real client
libraries talk to them exactly as they would to the platforms. Everything here runs on
the event loop that started the double; nothing is thread-safe and nothing needs to be.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import random
import signal
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

from aiohttp import BodyPartReader, web

FAULT_KINDS: tuple[str, ...] = ("500", "429", "timeout", "drop")


class Clock:
    """Wall clock (epoch seconds) that tests may move: `advance(86400)` jumps a day.

    The doubles read every time through it (message dates, flood windows, callback age,
    the WhatsApp 24-hour window), so moving it moves all of them consistently.
    """

    def __init__(self, start: float | None = None) -> None:
        self._offset = 0.0 if start is None else start - time.time()

    def __call__(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    def set(self, epoch: float) -> None:
        self._offset = epoch - time.time()

    def now_utc(self) -> datetime:
        return datetime.fromtimestamp(self(), UTC)


@dataclass
class FaultPlan:
    """Which calls fail, and how. Deterministic for a given seed and call order.

    kinds:
      "500"      HTTP 500 (Telegram-shaped or Graph-shaped error body); not applied.
      "429"      Telegram: 429 with parameters.retry_after; WhatsApp: Graph error 130429
                 (HTTP 400, as the Cloud API answers). Not applied.
      "timeout"  the request is held until the client gives up (or `hold_seconds`
                 pass: keep it above the client's timeout) and no response is written.
                 Applied if `timeout_applied` (default True: a real platform may well
                 have done the work).
      "drop"     the connection is closed without a response. Applied if
                 `drop_applied` (default False).
    `methods`: the API methods faults apply to; None means the double's default set
    (its sending methods). `script`: kinds forced on the next matching calls, before
    any random draw ("ok" forces a success).
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    seed: int | None = 0
    methods: frozenset[str] | None = None
    retry_after: int = 1
    timeout_applied: bool = True
    drop_applied: bool = False
    hold_seconds: float = 90.0
    script: list[str] = field(default_factory=list)
    injected: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.kinds = tuple(self.kinds)
        bad = [k for k in (*self.kinds, *self.script) if k not in (*FAULT_KINDS, "ok")]
        if bad:
            raise ValueError(f"unknown fault kinds {bad}; known: {FAULT_KINDS}")
        if self.methods is not None:
            self.methods = frozenset(self.methods)
        self._rng = random.Random(self.seed)

    def decide(self, method: str, default_methods: Iterable[str]) -> str | None:
        methods = self.methods if self.methods is not None else frozenset(default_methods)
        if method not in methods:
            return None
        if self.script:
            kind: str | None = self.script.pop(0)
            kind = None if kind == "ok" else kind
        elif self.rate > 0 and self.kinds and self._rng.random() < self.rate:
            kind = self._rng.choice(self.kinds)
        else:
            kind = None
        if kind is not None:
            self.injected[kind] += 1
        return kind

    def to_json(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "kinds": list(self.kinds),
            "seed": self.seed,
            "methods": sorted(self.methods) if self.methods is not None else None,
            "retry_after": self.retry_after,
            "timeout_applied": self.timeout_applied,
            "drop_applied": self.drop_applied,
            "hold_seconds": self.hold_seconds,
            "script": list(self.script),
            "injected": dict(self.injected),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultPlan:
        known = {
            "rate",
            "kinds",
            "seed",
            "methods",
            "retry_after",
            "timeout_applied",
            "drop_applied",
            "hold_seconds",
            "script",
        }
        kwargs = {k: v for k, v in data.items() if k in known}
        if "kinds" in kwargs:
            kwargs["kinds"] = tuple(kwargs["kinds"])
        if kwargs.get("methods") is not None:
            kwargs["methods"] = frozenset(kwargs["methods"])
        return cls(**kwargs)


@dataclass
class CallRecord:
    """One request the client made, as the double saw and answered it."""

    seq: int
    at: datetime
    method: str
    params: dict[str, Any]
    content_type: str
    status: int = 0
    ok: bool = False
    error: str | None = None
    fault: str | None = None
    applied: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "method": self.method,
            "params": _jsonable(self.params),
            "content_type": self.content_type,
            "status": self.status,
            "ok": self.ok,
            "error": self.error,
            "fault": self.fault,
            "applied": self.applied,
        }


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str
    data: bytes
    content_type: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "size": len(self.data),
            "content_type": self.content_type,
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Upload):
        return value.to_json()
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode(), "size": len(value)}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


jsonable = _jsonable


class SlidingWindow:
    """At most `limit` events per `window` seconds for each key (accepted events only)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[Any, deque[float]] = {}

    def wait_needed(self, key: Any, now: float) -> float:
        events = self._events.get(key)
        if not events:
            return 0.0
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) < self.limit:
            return 0.0
        return events[0] + self.window - now

    def hit(self, key: Any, now: float) -> None:
        self._events.setdefault(key, deque()).append(now)


class DoubleServer:
    """aiohttp server on an ephemeral port; `async with` starts and stops it."""

    #: methods the fault plan applies to when it names none
    default_fault_methods: frozenset[str] = frozenset()
    #: largest request body accepted (aiohttp's default is only 1 MiB)
    max_body = 60 * 1024 * 1024

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        faults: FaultPlan | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.clock = clock or Clock()
        self.faults = faults or FaultPlan()
        self.calls: list[CallRecord] = []
        self._runner: web.AppRunner | None = None
        self._changed: asyncio.Event | None = None
        self._closing = False

    # -- lifecycle -------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._runner is None:
            raise RuntimeError("double not started")
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        self._closing = False
        app = web.Application(client_max_size=self.max_body)
        self._add_routes(app)
        self._add_control_routes(app)
        # handlers still running at stop (long polls, held "timeout" faults) are cancelled
        # after this; the doubles never need a graceful drain.
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.2)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]
        await self._on_start()

    async def stop(self) -> None:
        self._closing = True
        self.notify()
        await self._on_stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _on_start(self) -> None:
        """Hook for subclasses."""

    async def _on_stop(self) -> None:
        """Hook for subclasses."""

    def _add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def _add_control_routes(self, app: web.Application) -> None:
        """Control API under /_control/ (what a test in another process drives)."""
        app.router.add_get("/_control/calls", self._ctl_calls)
        app.router.add_post("/_control/faults", self._ctl_faults)
        app.router.add_delete("/_control/faults", self._ctl_faults_off)
        app.router.add_post("/_control/clock", self._ctl_clock)
        app.router.add_get("/_control/state", self._ctl_state)

    async def _ctl_calls(self, request: web.Request) -> web.Response:
        method = request.query.get("method")
        since = int(request.query.get("since", "0"))
        calls = [
            c.to_json()
            for c in self.calls
            if c.seq > since and (method is None or c.method == method)
        ]
        return json_response(calls)

    async def _ctl_faults(self, request: web.Request) -> web.Response:
        self.faults = FaultPlan.from_json(await request.json())
        return json_response(self.faults.to_json())

    async def _ctl_faults_off(self, request: web.Request) -> web.Response:
        self.faults = FaultPlan()
        return json_response(self.faults.to_json())

    async def _ctl_clock(self, request: web.Request) -> web.Response:
        body = await request.json()
        if "set" in body:
            self.clock.set(float(body["set"]))
        self.clock.advance(float(body.get("advance", 0)))
        self.notify()
        return json_response({"now": self.clock()})

    async def _ctl_state(self, request: web.Request) -> web.Response:
        return json_response(self.state())

    def state(self) -> dict[str, Any]:
        """Summary for the control API; subclasses add their counters."""
        return {"url": self.url, "calls": len(self.calls), "faults": self.faults.to_json()}

    # -- change notification -----------------------------------------------------------
    def notify(self) -> None:
        """Wake everything waiting on the double's state (long polls, wait_until)."""
        if self._changed is not None:
            self._changed.set()
        self._changed = asyncio.Event()

    async def wait_changed(self, at_most: float) -> None:
        """Sleep until the next change of the double, or `at_most` seconds."""
        if self._changed is None:
            self._changed = asyncio.Event()
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), at_most)

    async def wait_until(self, predicate: Callable[[], bool], within: float = 5.0) -> None:
        """Wait until `predicate()` holds (re-checked on every change of the double)."""
        deadline = time.monotonic() + within
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {within}s")
            await self.wait_changed(min(remaining, 0.1))

    # -- call log and faults -----------------------------------------------------------
    def _new_record(self, method: str, params: dict[str, Any], content_type: str) -> CallRecord:
        record = CallRecord(
            seq=len(self.calls) + 1,
            at=self.clock.now_utc(),
            method=method,
            params=params,
            content_type=content_type,
        )
        self.calls.append(record)
        return record

    def calls_to(self, method: str) -> list[CallRecord]:
        return [c for c in self.calls if c.method == method]

    async def run_with_fault(
        self,
        request: web.Request,
        record: CallRecord,
        apply: Callable[[], Awaitable[web.StreamResponse]],
        fault_response: Callable[[str], web.StreamResponse],
    ) -> web.StreamResponse:
        """Answer a call through the fault plan: normally, with an error, or not at all."""
        fault = self.faults.decide(record.method, self.default_fault_methods)
        record.fault = fault
        if fault in ("500", "429"):
            response = fault_response(fault)
            record.status = response.status
            return response
        if fault is None:
            response = await apply()
            record.status = response.status
            self.notify()
            return response
        applies = self.faults.timeout_applied if fault == "timeout" else self.faults.drop_applied
        if applies:
            await apply()
            record.applied = True
            self.notify()
        if fault == "timeout":
            await _hold_until_disconnect(request, self.faults.hold_seconds)
        record.status = 0
        _abort(request)
        # aiohttp wants a response object; the socket is already gone, so nobody reads it.
        return web.Response(status=204)


async def _hold_until_disconnect(request: web.Request, max_seconds: float) -> None:
    deadline = time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        await asyncio.sleep(0.02)


def _abort(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        transport.abort()


def json_response(payload: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(payload, ensure_ascii=False).encode(),
        status=status,
        content_type="application/json",
    )


async def read_request_fields(
    request: web.Request, max_file: int
) -> tuple[dict[str, Any], dict[str, Upload], str]:
    """Fields of a JSON, urlencoded or multipart body (plus the query string).

    Returns (fields, uploads, content type). Multipart parts with a filename are
    uploads; the others are string fields.
    """
    fields: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    ctype = request.content_type
    if not request.body_exists:
        return fields, uploads, ctype
    if ctype == "application/json":
        raw = await request.read()
        if raw.strip():
            data = json.loads(raw)
            if isinstance(data, dict):
                fields.update(data)
    elif ctype.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            if part.filename is not None:
                data = await part.read(decode=False)
                if len(data) > max_file:
                    raise PayloadTooLarge(len(data))
                uploads[name] = Upload(part.filename, bytes(data), part.headers.get("Content-Type"))
            else:
                fields[name] = await part.text()
    else:
        post = await request.post()
        for key, value in post.items():
            if isinstance(value, web.FileField):
                uploads[key] = Upload(value.filename, value.file.read(), value.content_type)
            else:
                fields[key] = value
    return fields, uploads, ctype


class PayloadTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


def run_standalone(
    build: Callable[[argparse.Namespace], DoubleServer],
    parser: argparse.ArgumentParser,
    argv: list[str] | None = None,
) -> None:
    """Serve a double until SIGTERM/SIGINT; print `READY <url>` once listening."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--fault-seed", type=int, default=0)
    parser.add_argument("--fault-kinds", default=",".join(FAULT_KINDS))
    args = parser.parse_args(argv)

    async def serve() -> None:
        double = build(args)
        double.faults = FaultPlan(
            rate=args.fault_rate,
            seed=args.fault_seed,
            kinds=tuple(k for k in args.fault_kinds.split(",") if k),
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        async with double:
            print(f"READY {double.url}", flush=True)
            await stop.wait()

    asyncio.run(serve())
