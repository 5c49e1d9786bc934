"""The fake database's tables and one transaction over them.

:class:`Store` holds the committed rows (plain dicts, per table, per key). A
:class:`Tx` is one unit of work's transaction: its writes live in an overlay until
commit (rollback or close drops the overlay: an undo log for free), and it keeps an
identity map like SQLAlchemy's session does, so that the objects a handler holds
behave as they do on the real databases:

- a read returns the object this transaction already loaded for that row, if any;
- a changed attribute of a loaded object is written at the next flush or commit
  (only the attributes that changed, as SQLAlchemy's dirty tracking does);
- a compare-and-set written by a repository updates the object it was given without
  making it dirty (``storage.repos.cases.written``);
- after a rollback the loaded objects are expired: reading one raises, as it does on
  the real session (there it would need a lazy load the async session cannot do).

One difference: SQLAlchemy's identity map holds an unchanged object only while someone
references it (a later read may load the row afresh); here it stays until the
transaction ends. Handlers should not rely on either (re-read after a rollback).

Write transactions take turns (see ``FakeDatabase``), as SQLite writers do; readers
see only committed rows.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.exc import PendingRollbackError, SQLAlchemyError
from sqlalchemy.orm.attributes import instance_state
from sqlmodel import SQLModel

from storage.audit_chain import GENESIS
from tests.fakes.schema import (
    SCHEMA,
    Key,
    Row,
    TableInfo,
    check_required,
    copy_value,
    info_of,
    integrity,
    normalised,
)

E = TypeVar("E", bound=SQLModel)

#: Which (table, column) pairs point at each table: a delete must not orphan them.
_REFERRERS: dict[str, list[tuple[TableInfo, str, str]]] = {name: [] for name in SCHEMA}
for _info in SCHEMA.values():
    for _fk in _info.foreign_keys:
        _REFERRERS[_fk.table].append((_info, _fk.column, _fk.target))


#: Objects that stand for a stored row (loaded or inserted by a fake transaction), by
#: id(): what SQLAlchemy calls persistent or detached, as opposed to a new (transient)
#: object that ``session.add`` inserts.
_PERSISTED: weakref.WeakValueDictionary[int, SQLModel] = weakref.WeakValueDictionary()


def _persisted(entity: SQLModel) -> None:
    _PERSISTED[id(entity)] = entity


def _is_persisted(entity: SQLModel) -> bool:
    return _PERSISTED.get(id(entity)) is entity


class Store:
    """The committed state of every table (as the migrations leave an empty database)."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[Key, Row]] = {name: {} for name in SCHEMA}
        #: Last number handed out per table; like a PostgreSQL sequence, never rolled back.
        self.last_id: dict[str, int] = dict.fromkeys(SCHEMA, 0)
        self.tables["audit_head"][(1,)] = {"id": 1, "seq": 0, "hash": GENESIS}

    def snapshot(self) -> dict[str, list[Row]]:
        """Every row of every table, ordered by key: equal snapshots, nothing written."""
        return {
            name: [
                {c: copy_value(SCHEMA[name], c, v) for c, v in row.items()}
                for _key, row in sorted(rows.items())
            ]
            for name, rows in self.tables.items()
        }


@dataclass
class Tracked:
    """A loaded object and the values it had when last read or written."""

    entity: SQLModel
    info: TableInfo
    key: Key
    seen: dict[str, Any]
    #: Inserted through the ORM in this transaction: a rollback forgets it but leaves
    #: its attributes alone (SQLAlchemy expunges pending objects, expires the others).
    pending_insert: bool = False


class Tx:
    """One transaction: an overlay of written rows plus an identity map."""

    def __init__(self, store: Store, *, readonly: bool) -> None:
        self.store = store
        self.readonly = readonly
        self._changes: dict[str, dict[Key, Row | None]] = {}
        self._identity: dict[tuple[str, Key], Tracked] = {}
        self._pending: list[SQLModel] = []
        self._failed: SQLAlchemyError | None = None

    # -- reading -------------------------------------------------------------------------

    def _usable(self) -> None:
        if self._failed is not None:
            # PostgreSQL: "current transaction is aborted"; the session wants a rollback
            raise PendingRollbackError(
                "fake: this transaction failed earlier and must be rolled back first "
                f"({self._failed})"
            )

    def row(self, info: TableInfo, key: Key) -> Row | None:
        self._usable()
        changed = self._changes.get(info.name)
        if changed is not None and key in changed:
            return changed[key]
        return self.store.tables[info.name].get(key)

    def _visible(self, info: TableInfo) -> dict[Key, Row]:
        self._usable()
        changed = self._changes.get(info.name)
        if not changed:
            return self.store.tables[info.name]
        merged = dict(self.store.tables[info.name])
        for key, row in changed.items():
            if row is None:
                merged.pop(key, None)
            else:
                merged[key] = row
        return merged

    def rows(self, info: TableInfo) -> list[Row]:
        """Every row this transaction sees, ordered by key (the database's natural order)."""
        visible = self._visible(info)
        return [visible[k] for k in sorted(visible)]

    def load(self, info: TableInfo, row: Row) -> Any:
        """The object for a row: the one this transaction already holds, or a new one."""
        key = info.key_of(row)
        tracked = self._identity.get((info.name, key))
        if tracked is not None:
            return tracked.entity
        values = {c: copy_value(info, c, row.get(c)) for c in info.columns}
        entity = info.model(**values)
        _persisted(entity)
        self._identity[(info.name, key)] = Tracked(entity, info, key, dict(values))
        return entity

    def get(self, model: type[E], *key: Any) -> E | None:
        info = info_of(model)
        tracked = self._identity.get((info.name, tuple(key)))
        if tracked is not None:
            self._usable()
            return tracked.entity  # type: ignore[return-value]
        row = self.row(info, tuple(key))
        return None if row is None else self.load(info, row)

    def select(
        self,
        model: type[E],
        where: Callable[[Row], bool] | None = None,
        *,
        order: Callable[[Row], Any] | None = None,
        descending: bool = False,
        limit: int | None = None,
    ) -> list[E]:
        info = info_of(model)
        found = [r for r in self.rows(info) if where is None or where(r)]
        if order is not None or descending:
            found.sort(key=order or info.key_of, reverse=descending)
        if limit is not None:
            found = found[:limit]
        return [self.load(info, r) for r in found]

    # -- writing -------------------------------------------------------------------------

    def _writable(self, info: TableInfo) -> None:
        self._usable()
        if self.readonly:
            raise RuntimeError(
                f"fake: a read-only unit of work wrote to {info.name}; it is never "
                "committed, so the write would be lost"
            )

    def _failing(self, exc: SQLAlchemyError) -> SQLAlchemyError:
        self._failed = exc
        return exc

    def _check(self, info: TableInfo, key: Key, row: Row, changed: Iterable[str]) -> None:
        """The constraints a write of ``row`` (the whole new row) must keep."""
        changed = set(changed)
        try:
            check_required(info, row)
            for unique in info.uniques:
                if not changed.intersection(unique.columns) and unique.where is None:
                    continue
                values = tuple(row.get(c) for c in unique.columns)
                if any(v is None for v in values):
                    continue  # NULLs never collide
                if unique.where is not None and not unique.where(row):
                    continue
                for other_key, other in self._visible(info).items():
                    if other_key == key:
                        continue
                    if tuple(other.get(c) for c in unique.columns) != values:
                        continue
                    if unique.where is None or unique.where(other):
                        raise integrity(info.name, f"UNIQUE constraint failed: {unique.name}")
            for fk in info.foreign_keys:
                value = row.get(fk.column)
                if value is None or fk.column not in changed:
                    continue
                target = SCHEMA[fk.table]
                if target.key == (fk.target,):
                    found = self.row(target, (value,)) is not None
                else:
                    found = any(r.get(fk.target) == value for r in self._visible(target).values())
                if not found:
                    raise integrity(
                        info.name,
                        f"FOREIGN KEY constraint failed: {info.name}.{fk.column} -> "
                        f"{fk.table}.{fk.target} = {value!r}",
                    )
        except SQLAlchemyError as exc:
            raise self._failing(exc) from None

    def _put(self, info: TableInfo, key: Key, row: Row | None) -> None:
        self._changes.setdefault(info.name, {})[key] = row

    def _new_row(self, info: TableInfo, values: Mapping[str, Any]) -> Row:
        row: Row = {}
        for column in info.columns:
            value = values.get(column, info.defaults.get(column))
            try:
                row[column] = normalised(info, column, value)
            except SQLAlchemyError as exc:
                raise self._failing(exc) from None
        auto = info.autoincrement
        if auto is not None:
            if row[auto] is None:
                self.store.last_id[info.name] += 1
                row[auto] = self.store.last_id[info.name]
            else:
                self.store.last_id[info.name] = max(self.store.last_id[info.name], row[auto])
        return row

    def insert_row(self, info: TableInfo, values: Mapping[str, Any]) -> Row:
        """An INSERT statement (no object involved); returns the stored row's copy."""
        self._writable(info)
        row = self._new_row(info, values)
        key = info.key_of(row)
        if self.row(info, key) is not None:
            raise self._failing(integrity(info.name, f"UNIQUE constraint failed: {info.name} key"))
        self._check(info, key, row, info.columns)
        self._put(info, key, row)
        return dict(row)

    def insert(self, entity: SQLModel, *, pending_insert: bool = True) -> None:
        """Insert an object and track it (its new id is set on it)."""
        info = info_of(type(entity))
        values = {c: getattr(entity, c, None) for c in info.columns}
        row = self.insert_row(info, values)
        if info.autoincrement is not None:
            setattr(entity, info.autoincrement, row[info.autoincrement])
            values[info.autoincrement] = row[info.autoincrement]
        key = info.key_of(row)
        _persisted(entity)
        self._identity[(info.name, key)] = Tracked(entity, info, key, values, pending_insert)

    def update(self, info: TableInfo, key: Key, values: Mapping[str, Any]) -> bool:
        """An UPDATE of one row by key; False if there is no such row."""
        self._writable(info)
        current = self.row(info, key)
        if current is None:
            return False
        row = dict(current)
        for column, value in values.items():
            try:
                row[column] = normalised(info, column, value)
            except SQLAlchemyError as exc:
                raise self._failing(exc) from None
        self._check(info, key, row, values)
        self._put(info, key, row)
        return True

    def delete(self, info: TableInfo, key: Key) -> bool:
        self._writable(info)
        row = self.row(info, key)
        if row is None:
            return False
        for referrer, column, target in _REFERRERS[info.name]:
            value = row.get(target)
            if any(r.get(column) == value for r in self._visible(referrer).values()):
                raise self._failing(
                    integrity(info.name, f"FOREIGN KEY constraint failed: {referrer.name}")
                )
        self._put(info, key, None)
        self._identity.pop((info.name, key), None)
        return True

    def written(self, entity: SQLModel, **values: Any) -> None:
        """What an UPDATE wrote, shown on the object the caller passed, not dirtying it."""
        for column, value in values.items():
            setattr(entity, column, value)
        info = info_of(type(entity))
        key = tuple(getattr(entity, c) for c in info.key)
        tracked = self._identity.get((info.name, key))
        if tracked is not None and tracked.entity is entity:
            tracked.seen.update(values)

    def tracked(self, model: type[E], *key: Any) -> E | None:
        """The object this transaction holds for a row, without reading the row."""
        tracked = self._identity.get((info_of(model).name, tuple(key)))
        return None if tracked is None else tracked.entity  # type: ignore[return-value]

    # -- the session: add, flush, commit, rollback -----------------------------------------

    def add(self, entity: SQLModel) -> None:
        """``session.add``: a new object is inserted at the next flush; an object that
        stands for a row (read earlier) joins the identity map, its changes written at
        the next flush."""
        self._usable()
        if not _is_persisted(entity):
            if not any(p is entity for p in self._pending):
                self._pending.append(entity)
            return
        info = info_of(type(entity))
        key = tuple(getattr(entity, c) for c in info.key)
        tracked = self._identity.get((info.name, key))
        if tracked is not None:
            if tracked.entity is not entity:
                raise RuntimeError(
                    f"fake: another object for {info.name} {key} is already in this unit of work"
                )
            return
        row = self.row(info, key)
        if row is None:
            raise RuntimeError(f"fake: {info.name} {key} was deleted; it cannot be added back")
        seen = {c: copy_value(info, c, row.get(c)) for c in info.columns}
        self._identity[(info.name, key)] = Tracked(entity, info, key, seen)

    def flush(self) -> None:
        """Insert what was added, write what changed on the loaded objects."""
        self._usable()
        pending, self._pending = self._pending, []
        for entity in pending:
            self.insert(entity)
        for tracked in list(self._identity.values()):
            entity = tracked.entity
            diff = {}
            for column in tracked.info.columns:
                now = getattr(entity, column, None)
                before = tracked.seen.get(column)
                if now is not before and now != before:
                    diff[column] = now
            if diff:
                self.update(tracked.info, tracked.key, diff)
                tracked.seen.update(diff)

    def commit(self) -> None:
        self.flush()
        for name, changed in self._changes.items():
            table = self.store.tables[name]
            for key, row in changed.items():
                if row is None:
                    table.pop(key, None)
                else:
                    table[key] = row
        self._changes = {}

    def rollback(self) -> None:
        """Drop every write; loaded objects expire, objects inserted through the ORM
        are forgotten as they are (what SQLAlchemy's rollback does)."""
        for tracked in self._identity.values():
            if tracked.pending_insert:
                _PERSISTED.pop(id(tracked.entity), None)
            else:
                state = instance_state(tracked.entity)
                state._expire(state.dict, set())
        self._identity.clear()
        self._changes = {}
        self._pending = []
        self._failed = None

    def close(self) -> None:
        """Leave the block: uncommitted writes are dropped, objects keep their state."""
        self._identity.clear()
        self._changes = {}
        self._pending = []
