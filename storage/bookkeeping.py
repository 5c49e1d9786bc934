"""Tables of the surfaces' bookkeeping: holiday overrides, processed platform updates,
web login links and sessions, invite codes, WhatsApp's 24-hour windows, scheduler job
runs, the heartbeats of the processes that deliver the outbox, named sequences and
document numbers. The case tables are in
:mod:`storage.tables`, which re-exports these so that one import registers every table
on the metadata."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class HolidayOverride(SQLModel, table=True):
    """A date the government decreed (added) or withdrew (removed) for one year."""

    __tablename__ = "holiday_override"

    day: date = Field(primary_key=True)
    name: str = Field(max_length=120)
    removed: bool = False
    created_at: datetime = _ts()


class ProcessedUpdate(SQLModel, table=True):
    """Inbound platform ids already handled: a redelivered update is done once."""

    __tablename__ = "processed_update"

    source: str = Field(max_length=32, primary_key=True)
    external_id: str = Field(max_length=128, primary_key=True)
    at: datetime = _ts()


class LoginLink(SQLModel, table=True):
    """A one-time web login link; only the token's hash is stored."""

    __tablename__ = "login_link"

    token_hash: str = Field(max_length=64, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(default=None)


class WebSession(SQLModel, table=True):
    """A web channel session (HttpOnly cookie); only the id's hash is stored."""

    __tablename__ = "web_session"

    id_hash: str = Field(max_length=64, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    csrf: str = Field(max_length=64)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()


class InviteCode(SQLModel, table=True):
    """A one-time code in a t.me deep link that binds a chat account to a staff record."""

    __tablename__ = "invite_code"

    code_hash: str = Field(max_length=64, primary_key=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    role: str | None = Field(default=None, max_length=64)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(default=None)
    used_by: str | None = Field(default=None, max_length=64)


class ChatWindow(SQLModel, table=True):
    """WhatsApp's 24-hour customer-service window per phone number."""

    __tablename__ = "chat_window"

    phone: str = Field(max_length=20, primary_key=True)
    last_inbound_at: datetime | None = _ts(default=None)
    #: The last template invitation we sent while the window was closed.
    invited_at: datetime | None = _ts(default=None)


class JobRun(SQLModel, table=True):
    """A once-a-day job (morning digest, daily rekap) claimed for one office day.

    The claim is written in the same transaction as the job's messages: of two
    processes running the job, one inserts the row and sends, the other finds it.
    """

    __tablename__ = "job_run"

    job: str = Field(max_length=32, primary_key=True)
    day: date = Field(primary_key=True)
    claimed_at: datetime = _ts()
    #: host:pid of the process that ran it, for the operator.
    owner: str = Field(max_length=120)
    #: Messages the run queued.
    sent: int = 0


class ProcessHeartbeat(SQLModel, table=True):
    """A running process that claims outbox rows, and when it last said it was alive.

    Claims (``outbox.claimed_by``) name the process; a process that finds another one
    dead (its pid gone on the same machine, or its heartbeat too old) takes its claims
    back at once instead of waiting for their lease (staffbot.dispatch_owner).
    """

    __tablename__ = "process_heartbeat"

    #: host:pid:random, the value of ``outbox.claimed_by``.
    owner: str = Field(max_length=120, primary_key=True)
    pid: int
    #: Which pids this one can be compared with: the machine's boot id and the pid
    #: namespace ("" when unknown; then only the heartbeat's age tells).
    space: str = Field(default="", max_length=120)
    #: The process's start time as the kernel counts it (tells a reused pid apart).
    pid_start: str = Field(default="", max_length=32)
    started_at: datetime = _ts()
    beat_at: datetime = _ts()


class Counter(SQLModel, table=True):
    """Named sequences (case numbers, register numbers, BA numbers per year)."""

    __tablename__ = "counter"

    name: str = Field(max_length=64, primary_key=True)
    value: int = 0


class DocumentSequence(SQLModel, table=True):
    """The number of the last document of a kind in a year (surat, BA, rekap).

    A number is taken by an ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` inside
    the transaction that makes the document: the row lock (PostgreSQL) or the single
    writer (SQLite) makes two documents made at once get two numbers, and a rolled
    back document gives its number back.
    """

    __tablename__ = "document_sequence"

    kind: str = Field(max_length=32, primary_key=True)
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    value: int = 0
