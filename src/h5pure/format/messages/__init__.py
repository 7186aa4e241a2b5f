"""Object header messages: the type numbers, the decoder registry and the dispatcher.

HDF5 File Format Specification 4.0, IV.A.2 ("Header Message Types") lists the message
types 0x00-0x17; 0x18 (metadata cache image) exists only in the library's message table.
Each message family lives in its own module and registers its decoder here with
``@register(MessageType.X)``; :func:`decode_message` dispatches through the registry, so
there is no if/elif chain on type numbers.  A message whose header flags say "shared"
(bit 1) holds a shared-message reference (IV.A.2 "Shared Messages", see :mod:`.shared`)
instead of the message itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any, TypeVar

from ...errors import FormatError, UnsupportedFeatureError
from ..context import FormatContext
from .shared import SharedMessage, decode_shared_message

if TYPE_CHECKING:
    from ..object_header import HeaderMessage

__all__ = [
    "MessageType",
    "MessageFlags",
    "SharedMessage",
    "UnknownMessage",
    "register",
    "decoder_for",
    "decode_message",
]


class MessageType(IntEnum):
    """Header message type numbers (IV.A.2.a-x, plus the undocumented 0x18)."""

    NIL = 0x00
    DATASPACE = 0x01
    LINK_INFO = 0x02
    DATATYPE = 0x03
    FILL_VALUE_OLD = 0x04
    FILL_VALUE = 0x05
    LINK = 0x06
    EXTERNAL_FILE_LIST = 0x07
    LAYOUT = 0x08
    BOGUS = 0x09
    GROUP_INFO = 0x0A
    FILTER_PIPELINE = 0x0B
    ATTRIBUTE = 0x0C
    COMMENT = 0x0D
    MODIFICATION_TIME_OLD = 0x0E
    SHARED_MESSAGE_TABLE = 0x0F
    CONTINUATION = 0x10
    SYMBOL_TABLE = 0x11
    MODIFICATION_TIME = 0x12
    BTREE_K_VALUES = 0x13
    DRIVER_INFO = 0x14
    ATTRIBUTE_INFO = 0x15
    REFCOUNT = 0x16
    FILE_SPACE_INFO = 0x17
    CACHE_IMAGE = 0x18


class MessageFlags:
    """Bits of a header message's flags byte (IV.A.1.a / IV.A.1.b)."""

    CONSTANT = 0x01
    SHARED = 0x02
    DONT_SHARE = 0x04
    FAIL_IF_UNKNOWN_AND_WRITING = 0x08
    MARK_IF_UNKNOWN = 0x10
    WAS_UNKNOWN = 0x20
    SHAREABLE = 0x40
    FAIL_IF_UNKNOWN_ALWAYS = 0x80


@dataclass(frozen=True)
class UnknownMessage:
    """A message h5pure has no decoder for, kept raw (its flags allowed ignoring it)."""

    type: int
    """The on-disk message type number."""
    data: bytes
    """The message body as stored."""


Decoder = Callable[[bytes, FormatContext, int], Any]
"""A message decoder: ``(data, ctx, flags) -> record``."""

_D = TypeVar("_D", bound=Decoder)

_REGISTRY: dict[int, Decoder] = {}

# The module that registers each type's decoder, imported on the first decode of a message
# of that type: a reader loads only the message families its file holds.
_MODULE_OF: dict[int, str] = {
    MessageType.DATASPACE: "dataspace",
    MessageType.FILL_VALUE_OLD: "fill",
    MessageType.FILL_VALUE: "fill",
    MessageType.LINK: "link",
    MessageType.LINK_INFO: "link",
    MessageType.GROUP_INFO: "link",
    MessageType.ATTRIBUTE: "attribute",
    MessageType.ATTRIBUTE_INFO: "attribute",
    MessageType.SYMBOL_TABLE: "symbols",
    MessageType.CONTINUATION: "symbols",
    MessageType.MODIFICATION_TIME: "misc",
    MessageType.MODIFICATION_TIME_OLD: "misc",
    MessageType.COMMENT: "misc",
    MessageType.BTREE_K_VALUES: "misc",
    MessageType.DRIVER_INFO: "misc",
    MessageType.REFCOUNT: "misc",
    MessageType.SHARED_MESSAGE_TABLE: "misc",
    MessageType.FILE_SPACE_INFO: "misc",
    MessageType.BOGUS: "misc",
    MessageType.EXTERNAL_FILE_LIST: "misc",
    MessageType.DATATYPE: "datatype",
    MessageType.LAYOUT: "layout",
    MessageType.FILTER_PIPELINE: "filter_pipeline",
}


def register(message_type: MessageType) -> Callable[[_D], _D]:
    """Class/function decorator: make ``decoder`` the decoder of ``message_type``."""

    def deco(decoder: _D) -> _D:
        _REGISTRY[int(message_type)] = decoder
        return decoder

    return deco


def decoder_for(message_type: int) -> Decoder | None:
    """The registered decoder for ``message_type``, or None."""
    message_type = int(message_type)
    decoder = _REGISTRY.get(message_type)
    if decoder is None:
        module = _MODULE_OF.get(message_type)
        if module is not None:
            importlib.import_module(f"{__name__}.{module}")  # registers it
            decoder = _REGISTRY.get(message_type)
    return decoder


def _type_name(message_type: int) -> str:
    try:
        return MessageType(message_type).name.lower().replace("_", " ")
    except ValueError:
        return f"type 0x{message_type:02x}"


def decode_message(msg: HeaderMessage, ctx: FormatContext) -> Any:
    """Decode one header message into its record.

    Returns a :class:`SharedMessage` when the message is stored shared (flag bit 1), an
    :class:`UnknownMessage` for types without a decoder, and raises
    :class:`UnsupportedFeatureError` for unknown types whose flags (bits 3 or 7) say a
    reader must not ignore them.  Decoding errors are re-raised with the message's address.
    """
    try:
        if msg.flags & MessageFlags.SHARED:
            return decode_shared_message(msg.data, ctx, msg.type)
        decoder = decoder_for(msg.type)
        if decoder is None:
            if msg.flags & (
                MessageFlags.FAIL_IF_UNKNOWN_AND_WRITING | MessageFlags.FAIL_IF_UNKNOWN_ALWAYS
            ):
                raise UnsupportedFeatureError(
                    f"{_type_name(msg.type)} message at 0x{msg.address:x}: unknown message type {msg.type} marked 'fail if unknown' "
                    f"(flags 0x{msg.flags:02x})"
                )
            return UnknownMessage(msg.type, bytes(msg.data))
        return decoder(bytes(msg.data), ctx, msg.flags)
    except FormatError as e:
        raise type(e)(f"{_type_name(msg.type)} message at 0x{msg.address:x}: {e}") from e
