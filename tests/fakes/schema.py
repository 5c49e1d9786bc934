"""What the fake knows of the schema, read from the SQLModel tables themselves.

Keys, autoincrement ids, NOT NULL, string lengths, unique constraints (partial ones
included), foreign keys, aware-UTC datetimes and JSON columns: each is checked the way
the databases check it, so that a handler that would fail on SQLite or PostgreSQL fails
on the fake too, with the same exception type.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Integer, Table
from sqlalchemy.exc import DataError, IntegrityError, StatementError
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers every table with SQLModel's registry)
from storage.types import UTCDateTime

Key = tuple[Any, ...]
Row = dict[str, Any]
Predicate = Callable[[Mapping[str, Any]], bool]

#: The WHERE clauses of the partial unique indexes, as Python: a partial index the fake
#: does not know fails loudly below instead of being checked as a full one.
PARTIAL_INDEXES: dict[str, Predicate] = {
    "uq_task_one_open_per_case": lambda r: bool(r["is_open"]) and r["case_id"] is not None,
    "uq_task_one_open_per_ba": lambda r: bool(r["is_open"]) and r["ba_id"] is not None,
}


@dataclass(frozen=True)
class Unique:
    name: str
    columns: tuple[str, ...]
    where: Predicate | None = None


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    target: str


@dataclass(frozen=True)
class TableInfo:
    name: str
    model: type[SQLModel]
    columns: tuple[str, ...]
    key: tuple[str, ...]
    #: The key column the database numbers itself (None: the caller gives the key).
    autoincrement: str | None
    required: frozenset[str]
    lengths: Mapping[str, int]
    datetimes: frozenset[str]
    json: frozenset[str]
    defaults: Mapping[str, Any]
    uniques: tuple[Unique, ...]
    foreign_keys: tuple[ForeignKey, ...]

    def key_of(self, row: Mapping[str, Any]) -> Key:
        return tuple(row[c] for c in self.key)


def _uniques(table: Table) -> tuple[Unique, ...]:
    # (the key itself is checked by every insert)
    found = [Unique(f"{table.name}.{c.key}", (c.key,)) for c in table.columns if c.unique]
    for constraint in table.constraints:
        columns = tuple(c.key for c in getattr(constraint, "columns", ()))
        if type(constraint).__name__ == "UniqueConstraint" and columns:
            found.append(Unique(f"{table.name}.{'_'.join(columns)}", columns))
    for index in table.indexes:
        if not index.unique:
            continue
        partial = any(
            index.dialect_options[d].get("where") is not None for d in ("sqlite", "postgresql")
        )
        if partial and index.name not in PARTIAL_INDEXES:
            raise NotImplementedError(f"fake: partial unique index {index.name} has no predicate")
        where = PARTIAL_INDEXES.get(str(index.name)) if partial else None
        found.append(Unique(str(index.name), tuple(c.key for c in index.columns), where))
    return tuple(found)


def _info(model: type[SQLModel], table: Table) -> TableInfo:
    key = tuple(c.key for c in table.primary_key.columns)
    first = table.c[key[0]]
    auto = (
        key[0]
        if len(key) == 1 and isinstance(first.type, Integer) and first.autoincrement is not False
        else None
    )
    defaults = {
        c.key: getattr(c.default, "arg", None)
        for c in table.columns
        if c.default is not None and getattr(c.default, "is_scalar", False)
    }
    return TableInfo(
        name=table.name,
        model=model,
        columns=tuple(c.key for c in table.columns),
        key=key,
        autoincrement=auto,
        required=frozenset(c.key for c in table.columns if not c.nullable and c.key != auto),
        # sqlmodel's AutoString is a TypeDecorator over String: ask for the length itself
        lengths={
            c.key: getattr(c.type, "length", 0)
            for c in table.columns
            if isinstance(getattr(c.type, "length", None), int)
        },
        datetimes=frozenset(c.key for c in table.columns if isinstance(c.type, UTCDateTime)),
        json=frozenset(c.key for c in table.columns if isinstance(c.type, JSON)),
        defaults=defaults,
        uniques=_uniques(table),
        foreign_keys=tuple(
            ForeignKey(fk.parent.key, fk.column.table.name, fk.column.key)
            for fk in table.foreign_keys
        ),
    )


def _schema() -> dict[str, TableInfo]:
    tables: dict[str, TableInfo] = {}
    for mapper in SQLModel._sa_registry.mappers:
        table = mapper.local_table
        if isinstance(table, Table) and table.name not in tables:
            tables[table.name] = _info(mapper.class_, table)
    return tables


SCHEMA: dict[str, TableInfo] = _schema()
BY_MODEL: dict[type[SQLModel], TableInfo] = {info.model: info for info in SCHEMA.values()}


def info_of(model: type[SQLModel]) -> TableInfo:
    return BY_MODEL[model]


# -- the errors the drivers raise, with the same exception types ----------------------------


def integrity(table: str, problem: str) -> IntegrityError:
    return IntegrityError(f"fake write to {table}", None, Exception(problem))


def _statement_error(table: str, exc: Exception) -> StatementError:
    return StatementError(str(exc), f"fake write to {table}", None, exc)


def normalised(info: TableInfo, column: str, value: Any) -> Any:
    """A value as the database stores it (and as a later read returns it)."""
    if value is None:
        return None
    if column in info.datetimes:
        if not isinstance(value, datetime) or value.tzinfo is None:
            # storage.types.UTCDateTime refuses these; the driver wraps the ValueError
            raise _statement_error(
                info.name, ValueError("naive datetime refused: pass an aware datetime")
            )
        return value.astimezone(UTC)
    if column in info.json:
        try:
            return json.loads(json.dumps(value))
        except (TypeError, ValueError) as exc:
            raise _statement_error(info.name, exc) from exc
    length = info.lengths.get(column)
    if length is not None and isinstance(value, str) and len(value) > length:
        # PostgreSQL refuses it (SQLite would keep it): the fake takes the stricter side
        raise DataError(
            f"fake write to {info.name}",
            None,
            Exception(f"value too long for {info.name}.{column} (varchar({length}))"),
        )
    return value


def copy_value(info: TableInfo, column: str, value: Any) -> Any:
    """A stored value handed to a reader: JSON documents are never shared."""
    if column in info.json and value is not None:
        return json.loads(json.dumps(value))
    return value


def check_required(info: TableInfo, row: Mapping[str, Any]) -> None:
    for column in info.required:
        if row.get(column) is None:
            raise integrity(info.name, f"NOT NULL constraint failed: {info.name}.{column}")
