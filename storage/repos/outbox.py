from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, insert, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.repos.outbox_chat import ChatReads
from storage.tables import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENT, ButtonToken, Outbox


class OutboxRepository(ChatReads):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._staged: list[Outbox] = []

    async def add_all(self, rows: Sequence[Outbox]) -> Sequence[Outbox]:
        await self.flush_staged()  # keep the order rows were queued in
        self.session.add_all(rows)
        await self.session.flush()
        return rows

    def stage(self, rows: Sequence[Outbox]) -> None:
        """Rows to be written with the rest of the transaction: one multi-row INSERT
        when the unit of work commits (or before this repository next reads). A
        transition's card edits, next cards and applicant messages cost one statement."""
        self._staged.extend(rows)

    async def flush_staged(self) -> int:
        rows, self._staged = self._staged, []
        if not rows:
            return 0
        table = Outbox.__table__  # type: ignore[attr-defined]
        keys = [c.key for c in table.columns if c.key != "id"]
        # The table itself (not the entity): one executemany even where rows leave
        # different columns empty, which the ORM would split into several INSERTs.
        await self.session.exec(
            insert(table), params=[{k: getattr(row, k) for k in keys} for row in rows]
        )
        return len(rows)

    def discard(self) -> None:
        self._staged.clear()

    def stage_tokens(self, tokens: Sequence[ButtonToken]) -> None:
        """:meth:`add_tokens` without the immediate INSERT (see :meth:`stage`)."""
        self.session.add_all(tokens)

    async def _settle(self) -> None:
        # Reads see what this transaction staged (the session does not autoflush).
        if self.session.new:
            await self.session.flush()
        await self.flush_staged()

    async def get(self, outbox_id: int) -> Outbox | None:
        await self._settle()
        return await self.session.get(Outbox, outbox_id)

    async def cards_of_task(self, task_id: int) -> Sequence[Outbox]:
        await self._settle()
        statement = select(Outbox).where(Outbox.task_id == task_id, Outbox.kind == "card")
        return (await self.session.exec(statement.order_by(col(Outbox.id)))).all()

    async def for_case(self, case_id: int) -> Sequence[Outbox]:
        await self._settle()
        statement = select(Outbox).where(Outbox.case_id == case_id).order_by(col(Outbox.id))
        return (await self.session.exec(statement)).all()

    async def due(
        self, now: datetime, *, channels: Sequence[str], limit: int = 200, skip_locked: bool = False
    ) -> Sequence[Outbox]:
        """Pending rows whose time has come and that are first in their chat's queue.

        A row waits while an older row of the same chat is still pending, so that
        messages arrive in order per chat even across retries.
        """
        await self._settle()
        older = aliased(Outbox)
        blocked = exists().where(
            and_(
                col(older.channel) == col(Outbox.channel),
                col(older.chat_id) == col(Outbox.chat_id),
                col(older.status) == OUTBOX_PENDING,
                col(older.id) < col(Outbox.id),
            )
        )
        statement = (
            select(Outbox)
            .where(
                Outbox.status == OUTBOX_PENDING,
                col(Outbox.next_attempt_at) <= now,
                col(Outbox.channel).in_(list(channels)),
                ~blocked,
            )
            .order_by(col(Outbox.id))
            .limit(limit)
        )
        if skip_locked:
            statement = statement.with_for_update(skip_locked=True, of=Outbox)
        return (await self.session.exec(statement)).all()

    async def claim(self, row: Outbox, *, lease_until: datetime, owner: str | None = None) -> bool:
        """Take a pending row for delivery until ``lease_until`` (compare-and-set).

        The row stays 'pending' (so the chat's later rows keep waiting behind it);
        if this process dies, its claims are released (:meth:`release_claims`) or, at
        the latest, the lease runs out and another pass delivers it.
        """
        result = await self.session.exec(
            update(Outbox)
            .where(
                col(Outbox.id) == row.id,
                col(Outbox.status) == OUTBOX_PENDING,
                col(Outbox.next_attempt_at) == row.next_attempt_at,
            )
            .values(next_attempt_at=lease_until, claimed_by=owner)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def claim_many(
        self,
        ids: Sequence[int],
        *,
        now: datetime,
        lease_until: datetime,
        owner: str | None = None,
    ) -> set[int]:
        """:meth:`claim` for many rows in one statement: the ids this call won.

        A row is won if it is still pending and due (``next_attempt_at <= now``); a row
        another process claimed meanwhile carries that process's lease, in the future.
        """
        if not ids:
            return set()
        result = await self.session.exec(
            update(Outbox)
            .where(
                col(Outbox.id).in_(list(ids)),
                col(Outbox.status) == OUTBOX_PENDING,
                col(Outbox.next_attempt_at) <= now,
            )
            .values(next_attempt_at=lease_until, claimed_by=owner)
            .returning(col(Outbox.id))
            .execution_options(synchronize_session=False)
        )
        return {int(row[0]) for row in result.all()}

    async def claim_next(
        self,
        channel: str,
        chat_ids: Sequence[str],
        *,
        now: datetime,
        lease_until: datetime,
        owner: str | None = None,
    ) -> Sequence[Outbox]:
        """Claim, for each of these chats, its oldest pending row if that row is due.

        What a delivery lane takes next once a chat's previous message is marked sent:
        still one claimed row per chat, and never past an older row that waits.
        """
        if not chat_ids:
            return []
        oldest = (
            select(func.min(Outbox.id))
            .where(
                col(Outbox.status) == OUTBOX_PENDING,
                col(Outbox.channel) == channel,
                col(Outbox.chat_id).in_(list(chat_ids)),
            )
            .group_by(col(Outbox.chat_id))
        )
        result = await self.session.exec(
            update(Outbox)
            .where(col(Outbox.id).in_(oldest), col(Outbox.next_attempt_at) <= now)
            .values(next_attempt_at=lease_until, claimed_by=owner)
            .returning(Outbox)
            .execution_options(synchronize_session=False)
        )
        return list(result.scalars().all())

    async def mark_sent_many(self, sent: Sequence[tuple[int, str | None]], *, at: datetime) -> None:
        """:meth:`mark_sent` for many rows (outbox id, platform message id) in one statement."""
        if not sent:
            return
        table = Outbox.__table__  # type: ignore[attr-defined]
        statement = (
            update(table)
            .where(table.c.id == bindparam("row_id"), table.c.status == OUTBOX_PENDING)
            .values(
                status=OUTBOX_SENT,
                sent_at=at,
                platform_message_id=bindparam("message_id"),
                attempts=table.c.attempts + 1,
                last_error=None,
            )
        )
        await self.session.exec(
            statement,
            params=[{"row_id": i, "message_id": m} for i, m in sent],
        )

    async def mark_sent(
        self, outbox_id: int, *, at: datetime, platform_message_id: str | None
    ) -> bool:
        result = await self.session.exec(
            update(Outbox)
            .where(col(Outbox.id) == outbox_id, col(Outbox.status) == OUTBOX_PENDING)
            .values(
                status=OUTBOX_SENT,
                sent_at=at,
                platform_message_id=platform_message_id,
                attempts=Outbox.attempts + 1,
                last_error=None,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def reschedule(
        self, outbox_id: int, *, at: datetime, error: str, count_attempt: bool = True
    ) -> None:
        # A row put off is no process's claim: a restart must not hurry it.
        values: dict[str, Any] = {
            "next_attempt_at": at,
            "last_error": error[:500],
            "claimed_by": None,
        }
        if count_attempt:
            values["attempts"] = Outbox.attempts + 1
        await self.session.exec(
            update(Outbox)
            .where(col(Outbox.id) == outbox_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    async def release_claims(self, owners: Sequence[str], *, at: datetime) -> int:
        """The pending rows these (dead) processes had claimed are due again at ``at``.

        Only rows that still name one of them: a row another process claimed since
        names that process and is left alone.
        """
        if not owners:
            return 0
        result = await self.session.exec(
            update(Outbox)
            .where(
                col(Outbox.status) == OUTBOX_PENDING,
                col(Outbox.claimed_by).in_(list(owners)),
            )
            .values(next_attempt_at=at, claimed_by=None)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def mark_failed(self, outbox_id: int, *, error: str) -> None:
        await self.session.exec(
            update(Outbox)
            .where(col(Outbox.id) == outbox_id)
            .values(status=OUTBOX_FAILED, last_error=error[:500], attempts=Outbox.attempts + 1)
            .execution_options(synchronize_session=False)
        )

    async def set_status(self, outbox_id: int, status: str, *, error: str | None = None) -> None:
        await self.session.exec(
            update(Outbox)
            .where(col(Outbox.id) == outbox_id)
            .values(status=status, last_error=error)
            .execution_options(synchronize_session=False)
        )

    async def retry(self, outbox_id: int, *, at: datetime) -> bool:
        result = await self.session.exec(
            update(Outbox)
            .where(col(Outbox.id) == outbox_id, col(Outbox.status) == OUTBOX_FAILED)
            .values(status=OUTBOX_PENDING, next_attempt_at=at, attempts=0)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def listing(self, *, status: str | None = None, limit: int = 100) -> Sequence[Outbox]:
        await self._settle()
        statement = select(Outbox)
        if status:
            statement = statement.where(Outbox.status == status)
        return (
            await self.session.exec(statement.order_by(col(Outbox.id).desc()).limit(limit))
        ).all()

    async def applicant_trouble(
        self, *, since: datetime, sent_before: datetime | None
    ) -> Sequence[Outbox]:
        """Messages to applicants queued since ``since`` that failed (the dispatcher gave
        up, or the platform reported it), and, with ``sent_before``, those handed to
        the platform before then that it has not reported delivered or read."""
        await self._settle()
        trouble = [
            col(Outbox.status) == OUTBOX_FAILED,
            col(Outbox.delivery_status) == "failed",
        ]
        if sent_before is not None:
            trouble.append(
                and_(
                    col(Outbox.status) == OUTBOX_SENT,
                    or_(
                        col(Outbox.delivery_status).is_(None), col(Outbox.delivery_status) == "sent"
                    ),
                    col(Outbox.sent_at) <= sent_before,
                )
            )
        statement = (
            select(Outbox)
            .where(Outbox.kind == "applicant", col(Outbox.created_at) >= since, or_(*trouble))
            .order_by(col(Outbox.id))
        )
        return (await self.session.exec(statement)).all()

    async def depth_due(self, now: datetime, *, channels: Sequence[str]) -> tuple[int, None]:
        statement = select(func.count()).where(
            Outbox.status == OUTBOX_PENDING,
            col(Outbox.next_attempt_at) <= now,
            col(Outbox.channel).in_(list(channels)),
        )
        return int((await self.session.exec(statement)).one()), None

    async def depth(self) -> tuple[int, datetime | None]:
        """Pending rows and the creation time of the oldest."""
        statement = select(func.count(), func.min(Outbox.created_at)).where(
            Outbox.status == OUTBOX_PENDING
        )
        count, oldest = (await self.session.exec(statement)).one()
        return int(count), oldest

    # -- button tokens ---------------------------------------------------------

    async def add_tokens(self, tokens: Sequence[ButtonToken]) -> None:
        self.session.add_all(tokens)
        await self.session.flush()

    async def token(self, token: str) -> ButtonToken | None:
        await self._settle()
        return await self.session.get(ButtonToken, token)

    async def use_token(self, token: str, at: datetime) -> bool:
        result = await self.session.exec(
            update(ButtonToken)
            .where(col(ButtonToken.token) == token, col(ButtonToken.used_at).is_(None))
            .values(used_at=at)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)
