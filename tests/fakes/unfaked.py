"""What the fake leaves out says so, by name, instead of failing somewhere later."""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn


def not_in_fake(method: str) -> NoReturn:
    raise NotImplementedError(
        f"{method} is not in the fake unit of work (tests/fakes): no handler under test "
        "needs it yet; add it there and to tests/contract_repos, or test on a database"
    )


class NotFaked:
    """A fake repository: any method of the ``real`` one it lacks raises, naming it."""

    real: ClassVar[type]

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_") and hasattr(self.real, name):
            not_in_fake(f"{self.real.__name__}.{name}")
        raise AttributeError(name)
