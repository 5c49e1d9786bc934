"""A document worker process: ``python -m staffbot.documents.worker [FONT_CACHE_DIR]``.

Started by :class:`staffbot.documents.engine.ProcessEngine`. Reads jobs from stdin and
writes results to stdout, each a pickle behind a 4-byte big-endian length; stdout is
kept for that alone (anything a library prints goes to stderr). Ends at end of input,
which is also what it sees when the bot process dies.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import sys
from pathlib import Path
from typing import Any, BinaryIO

from staffbot.documents.errors import DocumentError
from staffbot.errors import StaffbotError

_HEADER = 4
log = logging.getLogger("staffbot.documents.worker")


def _read(stream: BinaryIO, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _answer(name: str, font_cache: Path | None, args: tuple[Any, ...]) -> tuple[str, Any]:
    from staffbot.documents.jobs import run_job

    try:
        return "ok", run_job(font_cache, name, args)
    except StaffbotError as exc:
        return "err", exc
    except Exception as exc:
        log.exception("document job %s failed", name)
        return "err", DocumentError(problem=f"{type(exc).__name__}: {exc}")


def serve(jobs: BinaryIO, results: BinaryIO, font_cache: Path | None) -> None:
    while True:
        header = _read(jobs, _HEADER)
        if header is None:
            return
        body = _read(jobs, int.from_bytes(header, "big"))
        if body is None:
            return
        name, args = pickle.loads(body)  # noqa: S301 (our own parent, over its pipe)
        status, value = _answer(name, font_cache, args)
        try:
            data = pickle.dumps((status, value), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # a result or error that does not pickle
            data = pickle.dumps(("err", DocumentError(problem=f"unpicklable result: {exc}")))
        results.write(len(data).to_bytes(_HEADER, "big") + data)
        results.flush()


def main() -> None:
    # Ctrl-C in a terminal reaches the whole process group: the bot stops its workers
    # itself, after the jobs in hand.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    font_cache = Path(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] else None
    results = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, results, font_cache)


if __name__ == "__main__":
    main()
