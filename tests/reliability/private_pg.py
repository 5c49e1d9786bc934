"""A PostgreSQL cluster of the test's own: initdb in a temporary folder, a free port,
``pg_ctl`` start/stop/restart, torn down afterwards.

Destructive tests (restarting the database under a running bot) use this instead of
the server on 127.0.0.1:5432, which other users of the machine share: restarting that
one cuts them all off.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

#: initdb and the server refuse to run as root; as root, we run them as this OS user.
SERVER_USER = "postgres"


def bindir() -> Path | None:
    """The server binaries (Debian keeps them out of PATH, one folder per version)."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for candidate in reversed(versions):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        found = Path(out.stdout.strip())
        if (found / "initdb").exists() and (found / "pg_ctl").exists():
            return found
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class PrivateCluster:
    bin: Path
    root: Path
    port: int
    as_user: tuple[str, ...]

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        """SQLAlchemy URL prefix (append ``/dbname``), like tests.conftest.PG_HOST."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}"

    def _pg_ctl(self, action: str, *extra: str, timeout: float = 120) -> None:
        # -k: the socket goes in our own folder, never /var/run/postgresql (the shared
        # server's); -c listen_addresses: TCP only on loopback, on our own port.
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        command = [
            *self.as_user,
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "-w",
            *extra,
            action,
        ]
        subprocess.run(command, check=True, timeout=timeout, capture_output=True)

    def start(self) -> None:
        self._pg_ctl("start")

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "immediate")

    def ready(self, within: float = 60.0) -> bool:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"],
                check=False,
            )
            if ready.returncode == 0:
                return True
            time.sleep(0.2)
        return False


@contextlib.contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """A running cluster on a free port, trust auth, superuser ``postgres``; removed after."""
    binaries = bindir()
    if binaries is None:
        pytest.skip("needs the PostgreSQL server binaries (initdb, pg_ctl)")
    as_user: tuple[str, ...] = ()
    if os.geteuid() == 0:
        try:
            server_user = pwd.getpwnam(SERVER_USER)
        except KeyError:
            pytest.skip(f"running as root needs the {SERVER_USER!r} OS user for initdb")
        as_user = ("runuser", "-u", SERVER_USER, "--")
    # a short path under /tmp: the socket path has a ~107-byte limit, and pytest's
    # tmp_path (/tmp/pytest-of-root/, mode 700) is not reachable for the server user
    root = Path(tempfile.mkdtemp(prefix="staffbot-pg-"))
    try:
        if as_user:
            os.chown(root, server_user.pw_uid, server_user.pw_gid)
        subprocess.run(
            [
                *as_user,
                str(binaries / "initdb"),
                "-D",
                str(root / "data"),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            check=True,
            timeout=120,
            capture_output=True,
        )
        cluster = PrivateCluster(bin=binaries, root=root, port=free_port(), as_user=as_user)
        cluster.start()
        try:
            yield cluster
        finally:
            with contextlib.suppress(subprocess.SubprocessError):
                cluster.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
