"""A few work arrays kept from call to call: :class:`Spares`.

Arrays of a megabyte or more, made afresh at each call, cost page faults each time (glibc
gives them back to the system when they are freed), about as much as the arithmetic done
in them. A pool keeps a few, shared by all threads, each taken by one call at a time
(``list.pop`` and ``append`` are atomic), so that idle threads hold none.
"""

from __future__ import annotations

from typing import Callable, Generic, TypeVar

Work = TypeVar("Work")


class Spares(Generic[Work]):
    """At most ``most`` spare work objects made by ``make(size)``, each with a ``size``."""

    def __init__(self, make: Callable[[int], Work], most: int = 4):
        self._make = make
        self._most = most
        self._kept: list = []

    def take(self, size: int) -> Work:
        """A spare of at least ``size`` elements, or a new one."""
        try:
            work = self._kept.pop()
        except IndexError:
            return self._make(size)
        return work if work.size >= size else self._make(size)

    def give_back(self, work: Work) -> None:
        if len(self._kept) < self._most:
            self._kept.append(work)

    def __len__(self) -> int:
        """How many are kept now."""
        return len(self._kept)
