"""A base for the small records the readers build by the thousand (one per message,
header chunk or link of a walk): slotted classes, immutable by convention, with value
equality, a hash and a repr taken from their ``__slots__`` -- what a frozen dataclass
gives, without its ~1 us per instance."""

from __future__ import annotations

from operator import attrgetter
from typing import Any, ClassVar


class SlottedRecord:
    """Equality, hash and repr over the fields named by the subclass's ``__slots__``
    (in that order); a subclass holding lists sets ``__hash__ = None``."""

    __slots__ = ()
    _fields: ClassVar[Any] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names: tuple[str, ...] = tuple(cls.__slots__)
        # (every record has two fields or more: attrgetter then returns a tuple)
        assert len(names) > 1, f"{cls.__name__} needs two fields or more"
        cls._fields = attrgetter(*names)

    def _key(self) -> Any:
        return type(self)._fields(self)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(self._key() == other._key())  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        names: tuple[str, ...] = tuple(self.__slots__)
        values = ", ".join(f"{n}={v!r}" for n, v in zip(names, self._key()))
        return f"{type(self).__name__}({values})"
