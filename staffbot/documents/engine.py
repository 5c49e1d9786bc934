"""The document engine: where rendering, signing and validating PDFs run.

The work is CPU-bound pure Python (fpdf2, fontTools, pyHanko): run on the event loop
it stalls every other member of staff's button; run in a thread it still holds the
GIL, and the loop waits for it at every system call (a press makes dozens). So the bot
(`run`) hands it to :class:`ProcessEngine`: worker processes that import fpdf2 and
pyHanko (some 50 MB the bot itself no longer carries) and run the jobs of
:mod:`staffbot.documents.jobs`, one at a time each, over a pipe. Short-lived commands
and tests use :class:`ThreadEngine`: the same jobs in a worker thread.

A worker that dies (or overruns its time) fails the job in hand with a
``DocumentError`` and is started again for the next one; nothing it did escapes
the process, so a signature it was making simply did not happen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import sys
from abc import ABC, abstractmethod
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from staffbot.documents.errors import DocumentError
from staffbot.documents.model import (
    Language,
    Letterhead,
    RenderedPdf,
    SignedPdf,
    SignRequest,
    StampPlacement,
)

if TYPE_CHECKING:
    from staffbot.documents.verify import SignatureReport

__all__ = ["DocumentEngine", "ProcessEngine", "ThreadEngine"]

log = logging.getLogger(__name__)
_HEADER = 4
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


class DocumentEngine(ABC):
    """Runs document jobs somewhere that is not the event loop."""

    def __init__(self, font_cache: Path | None = None) -> None:
        self.font_cache = font_cache

    @abstractmethod
    async def run(self, name: str, args: tuple[Any, ...]) -> Any:
        """Run the job ``name`` of :data:`staffbot.documents.jobs.JOBS`."""

    async def start(self) -> None:
        """Get ready (import, subset the fonts) so the first press does not wait."""
        await self.run("warm_up", ())

    async def aclose(self) -> None:  # noqa: B027 (nothing to stop for most engines)
        """Stop the workers; jobs in hand fail."""

    async def render(
        self,
        kind: str,
        data: Any,
        *,
        letterhead: Letterhead,
        language: Language,
        generated_at: datetime,
    ) -> RenderedPdf:
        result: RenderedPdf = await self.run(
            "render", (kind, data, letterhead, language, generated_at)
        )
        return result

    async def sign_local(
        self,
        pkcs12: Path,
        pdf: bytes,
        request: SignRequest,
        *,
        signed_at: datetime,
        language: Language,
        tz: tzinfo,
    ) -> SignedPdf:
        result: SignedPdf = await self.run(
            "sign_local", (pkcs12, pdf, request, signed_at, language, tz)
        )
        return result

    async def placement(self, pdf: bytes) -> StampPlacement:
        """A stamp box at the bottom right of the last page (for uploaded PDFs)."""
        result: StampPlacement = await self.run("placement", (pdf,))
        return result

    async def approval_page(
        self, pdf: bytes, *, language: Language = "id"
    ) -> tuple[bytes, StampPlacement]:
        """``pdf`` with an approval page appended for the stamp (an unsigned upload:
        the stamp covers nothing of it), and where the stamp goes."""
        result: tuple[bytes, StampPlacement] = await self.run("approval_page", (pdf, language))
        return result

    async def validate(self, pdf: bytes, ca_file: Path | None) -> SignatureReport:
        """Every signature of ``pdf`` checked against the office root in ``ca_file``."""
        report: SignatureReport = await self.run("validate", (pdf, ca_file))
        return report


class ThreadEngine(DocumentEngine):
    """The jobs in a worker thread of this process (commands, tests)."""

    async def run(self, name: str, args: tuple[Any, ...]) -> Any:
        from staffbot.documents.jobs import run_job

        return await asyncio.to_thread(run_job, self.font_cache, name, args)


class _Worker:
    """One worker process and its pipe; one job at a time (the engine sees to that)."""

    def __init__(self, engine: ProcessEngine, number: int) -> None:
        self.engine = engine
        self.number = number
        self.proc: asyncio.subprocess.Process | None = None
        self.jobs = 0

    async def _spawn(self) -> asyncio.subprocess.Process:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(_PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
        )
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "staffbot.documents.worker",
            str(self.engine.font_cache or ""),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
        )
        log.info("document worker %s started (pid %s)", self.number, proc.pid)
        self.jobs = 0
        return proc

    async def call(self, name: str, args: tuple[Any, ...]) -> Any:
        if self.proc is None or self.proc.returncode is not None:
            self.proc = await self._spawn()
        proc = self.proc
        assert proc.stdin is not None and proc.stdout is not None
        frame = pickle.dumps((name, args), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            async with asyncio.timeout(self.engine.job_timeout):
                proc.stdin.write(len(frame).to_bytes(_HEADER, "big") + frame)
                await proc.stdin.drain()
                size = int.from_bytes(await proc.stdout.readexactly(_HEADER), "big")
                status, value = pickle.loads(await proc.stdout.readexactly(size))  # noqa: S301 (our own worker, over its pipe)
        except (asyncio.IncompleteReadError, ConnectionError, TimeoutError) as exc:
            await self.stop()
            raise DocumentError(problem=f"document worker stopped ({type(exc).__name__})") from exc
        except BaseException:
            # Cancelled half-way: the pipe is out of step with the jobs; start afresh.
            await self.stop()
            raise
        self.jobs += 1
        if self.jobs >= self.engine.max_jobs:
            await self.stop()  # a fresh process gives back what rendering fragmented
        if status == "ok":
            return value
        if isinstance(value, BaseException):
            raise value
        raise DocumentError(problem=str(value))

    async def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.returncode is not None:
            return
        if proc.stdin is not None:
            proc.stdin.close()  # end of input: the worker leaves its loop
        try:
            async with asyncio.timeout(5):
                await proc.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()


class ProcessEngine(DocumentEngine):
    """Jobs in ``workers`` worker processes (`python -m staffbot.documents.worker`)."""

    def __init__(
        self,
        font_cache: Path | None = None,
        *,
        workers: int = 1,
        max_jobs: int = 1000,
        job_timeout: float = 300.0,
    ) -> None:
        super().__init__(font_cache)
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.max_jobs = max_jobs
        self.job_timeout = job_timeout
        self._workers = [_Worker(self, n) for n in range(workers)]
        self._idle: asyncio.Queue[_Worker] | None = None

    def _queue(self) -> asyncio.Queue[_Worker]:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for worker in self._workers:
                self._idle.put_nowait(worker)
        return self._idle

    async def run(self, name: str, args: tuple[Any, ...]) -> Any:
        idle = self._queue()
        worker = await idle.get()
        try:
            return await worker.call(name, args)
        finally:
            idle.put_nowait(worker)

    async def start(self) -> None:
        await asyncio.gather(*(self.run("warm_up", ()) for _ in self._workers))

    async def aclose(self) -> None:
        await asyncio.gather(*(worker.stop() for worker in self._workers))

    @property
    def pids(self) -> list[int]:
        """The running workers' process ids (memory figures, tests)."""
        return [w.proc.pid for w in self._workers if w.proc and w.proc.returncode is None]
