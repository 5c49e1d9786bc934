"""A hand-written, in-memory unit of work for the handler tests.

``FakeDatabase().uow()`` gives a :class:`FakeUnitOfWork` with the attributes of
storage.uow.UnitOfWork (staff, cases, tasks, audit, outbox, counters, documents,
conversations, holidays, processed, reports), each an in-memory repository with the
methods and the answers of its storage/repos twin. tests/contract_repos runs one suite
over the fake, SQLite and PostgreSQL, so a handler test that passes here means what it
would mean on a database; what the fake leaves out raises NotImplementedError naming it.
"""

from tests.fakes.uow import FakeDatabase, FakeSession, FakeUnitOfWork

__all__ = ["FakeDatabase", "FakeSession", "FakeUnitOfWork"]
