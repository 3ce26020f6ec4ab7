"""The one way an app adds to another: a ``Registry`` per extension point.

The app that owns a page or a process declares the registry (in its ``hooks.py``, or beside the
code that reads it); an app built on it registers its entries in its ``AppConfig.ready()``, so
the owner never imports the apps that extend it. Entries keep the order they were registered in;
registering the same entry (or key) twice replaces it, so a reloaded module adds nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, overload


class Registry[T]:
    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[Any, T] = {}

    @overload
    def register(self, entry: T, *, key: Any = None) -> T: ...
    @overload
    def register(self, entry: None = None, *, key: Any = None) -> Callable[[T], T]: ...

    def register(self, entry=None, *, key=None):
        """Add ``entry`` (under ``key``, or under itself); without an entry, a decorator that adds one."""
        if entry is None:
            return lambda decorated: self.register(decorated, key=key)
        self._entries[entry if key is None else key] = entry
        return entry

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, key: Any, default: T | None = None) -> T | None:
        return self._entries.get(key, default)

    def __getitem__(self, key: Any) -> T:
        try:
            return self._entries[key]
        except KeyError:
            raise LookupError(f"{self.name}: nothing registered as {key!r}") from None

    def __setitem__(self, key: Any, entry: T) -> None:
        self.register(entry, key=key)

    def __delitem__(self, key: Any) -> None:
        del self._entries[key]

    def items(self) -> list[tuple[Any, T]]:
        return list(self._entries.items())

    def keys(self) -> list[Any]:
        return list(self._entries)

    def by_key(self) -> list[T]:
        """The entries in the order of their keys: a page that places its panels registers each under
        ``(position, name)``."""
        return [entry for _key, entry in sorted(self._entries.items())]

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {len(self)}>"
