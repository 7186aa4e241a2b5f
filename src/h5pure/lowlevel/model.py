"""In-memory models of the objects a writable file changes.

Every object that is created or modified in a session lives here as a model until the
commit point (``flush``/``close``) serializes it.  A model answers the read paths exactly
as the bytes on disk would (``ObjectModel.header()`` builds the same ``ObjectHeader`` record
the decoder produces), so reading a file that is being written needs no special cases above
this layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..format.messages.symbols import SymbolTableMessage
from ..format.object_header import HeaderChunk, HeaderMessage, ObjectHeader
from .links import LinkEntry


@dataclass
class MessageSlot:
    """One header message as the writer keeps it: already encoded."""

    type: int
    body: bytes
    flags: int = 0
    creation_order: int | None = None


@dataclass
class ObjectModel:
    """An object header being written: its messages and where its chunks live."""

    address: int
    """Address of chunk 0 (the object's identity; never moves)."""
    version: int
    """Object header version (1 or 2)."""
    chunk0_size: int
    """Bytes of chunk 0's message area (prefix excluded), fixed when the object was created."""
    slots: list[MessageSlot] = field(default_factory=list)
    continuation_chunks: list[tuple[int, int]] = field(default_factory=list)
    """(address, size) of continuation chunks currently on disk."""
    chunk0_total: int = 0
    """Bytes of chunk 0 on disk, prefix included (0: a v1 header, 16 + ``chunk0_size``)."""
    flags: int = 0
    """v2 prefix flags (creation order tracked/indexed, timestamps...)."""
    refcount: int = 1
    times: tuple[int, int, int, int] | None = None
    dirty: bool = True
    generation: int = 0
    """Bumped by every change, so readers know their decoded view is stale."""
    _header: tuple[int, int, ObjectHeader] | None = field(default=None, repr=False, compare=False)
    """The last :meth:`header` built, with the generation and refcount it reflects."""

    def touch(self) -> None:
        """Mark the header changed (to be written at the next commit)."""
        self.dirty = True
        self.generation += 1

    def header(self) -> ObjectHeader:
        """The ObjectHeader record a decoder would produce for these messages (built once
        per change)."""
        memo = self._header
        if memo is not None and memo[0] == self.generation and memo[1] == self.refcount:
            return memo[2]
        header = self._build_header()
        self._header = (self.generation, self.refcount, header)
        return header

    def _build_header(self) -> ObjectHeader:
        messages = [
            HeaderMessage(
                type=s.type, flags=s.flags, data=s.body, creation_order=s.creation_order, address=0
            )
            for s in self.slots
        ]
        at, mt, ct, bt = self.times if self.times is not None else (None, None, None, None)
        return ObjectHeader(
            address=self.address,
            version=self.version,
            flags=self.flags,
            refcount=self.refcount,
            messages=messages,
            access_time=at,
            modification_time=mt,
            change_time=ct,
            birth_time=bt,
            chunks=[HeaderChunk(self.address, self.chunk0_size, self.address, 0, 0)],
        )

    # -- editing --------------------------------------------------------------------
    def find(self, mtype: int) -> list[MessageSlot]:
        return [s for s in self.slots if s.type == mtype]

    def set(self, mtype: int, body: bytes, flags: int = 0) -> None:
        """Replace the first message of ``mtype`` (keeping its place) or append one."""
        for s in self.slots:
            if s.type == mtype:
                s.body, s.flags = body, flags
                self.touch()
                return
        self.slots.append(MessageSlot(mtype, body, flags))
        self.touch()

    def add(self, slot: MessageSlot) -> None:
        self.slots.append(slot)
        self.touch()

    def remove(self, slot: MessageSlot) -> None:
        self.slots.remove(slot)
        self.touch()


@dataclass
class GroupModel:
    """The links of a group being written, and the on-disk structures that held them."""

    address: int
    links: dict[str, LinkEntry]
    storage: str
    """"symbol_table" (v1 B-tree + local heap), "compact" (link messages) or "dense": how
    the links are to be stored (updated link by link, as libhdf5 changes phase)."""
    track_order: bool = False
    next_creation_order: int = 0
    old_structures: list[tuple[int, int]] = field(default_factory=list)
    """(address, size) of the B-tree nodes, SNODs, heaps currently on disk for these links."""
    dirty: bool = True
    stab: SymbolTableMessage | None = None
    """The symbol table message this session wrote for the group (None: none yet, the
    structures on disk are the group's own)."""
    max_compact: int = 8
    """Most links kept as link messages (the group info message's, libhdf5's 8 by default)."""
    min_dense: int = 6
    """Fewest links kept in dense storage once there (libhdf5's 6 by default)."""
