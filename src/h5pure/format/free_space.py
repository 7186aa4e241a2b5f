"""Free-space manager header ("FSHD"), read-only: how much space a manager's header and
its serialized section list take (HDF5 File Format Specification 4.0, III.H).

libhdf5 writes one for each fractal heap that keeps free space, and for files that
persist their free space; ``h5stat`` counts them in the structures that own them.
"""

from __future__ import annotations

from .checksum import verify_checksum
from .context import ByteSource, FormatContext
from .structs import LENGTH, OFFSET, U8, U16, U32, Bytes, Struct, check_signature

SIGNATURE = b"FSHD"

HEADER = Struct(
    "free-space manager header",
    [
        ("signature", Bytes(4)),
        ("version", U8),
        ("client_id", U8),
        ("total_space", LENGTH),
        ("total_sections", LENGTH),
        ("serialized_sections", LENGTH),
        ("ghost_sections", LENGTH),
        ("section_classes", U16),
        ("shrink_percent", U16),
        ("expand_percent", U16),
        ("address_space_bits", U16),
        ("max_section_size", LENGTH),
        ("section_list_address", OFFSET),
        ("section_list_used", LENGTH),
        ("section_list_allocated", LENGTH),
        ("checksum", U32),
    ],
)


def free_space_manager_size(source: ByteSource, ctx: FormatContext, address: int) -> int:
    """Bytes of the manager at ``address``: its header and the space allocated for its
    serialized sections (libhdf5's ``H5FS_size``)."""
    size = HEADER.size(ctx)
    buf = source.read(address, size)
    check_signature(buf, SIGNATURE, "free-space manager header", address)
    verify_checksum(buf, "free-space manager header", address)
    h = HEADER.decode(buf, 0, ctx, address)
    return size + int(h["section_list_allocated"])
