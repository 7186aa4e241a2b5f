"""How each group of a file stores its links, for tests comparing files written by
libhdf5 (h5py, h5repack) and by h5pure."""

from __future__ import annotations

from typing import Any

from ..format.messages import MessageType, decode_message
from ..format.object_header import read_object_header


def link_storage(path: Any) -> dict[str, tuple[str, tuple[int, int] | None]]:
    """Per group path: ``"stab"`` (symbol table), ``"compactN"`` (N link messages) or
    ``"dense"``, and the phase change values its group info message stores (None:
    libhdf5's defaults, not stored)."""
    from .. import File, Group

    out: dict[str, tuple[str, tuple[int, int] | None]] = {}
    with File(path, "r") as f:
        fs = f._state

        def one(name: str, group: Any) -> None:
            header = read_object_header(fs.source, fs.ctx, group._info.address)
            types = [m.type for m in header.messages]
            if MessageType.SYMBOL_TABLE in types:
                kind = "stab"
            else:
                found = header.first(MessageType.LINK_INFO)
                if found is None:
                    raise ValueError(f"{path}: group {name}: no symbol table, no link info")
                linfo = decode_message(found, fs.ctx)
                dense = not fs.ctx.is_undefined(linfo.fractal_heap_address)
                kind = "dense" if dense else f"compact{types.count(MessageType.LINK)}"
            phase = None
            ginfo = header.first(MessageType.GROUP_INFO)
            if ginfo is not None:
                info = decode_message(ginfo, fs.ctx)
                if info.flags & 0x01:
                    phase = (info.max_compact, info.min_dense)
            out[name] = (kind, phase)

        one("/", f)
        f.visititems(lambda n, o: one(n, o) if isinstance(o, Group) else None)
    return out
