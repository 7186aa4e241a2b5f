"""h5py's ``h5z``: the filter registry, as h5pure's (:mod:`h5pure.filters`)."""

from __future__ import annotations

from ..filters import filter_for
from ._ids import module_getattr
from ._objects import phil, with_phil

__all__ = ["filter_avail", "get_filter_info", "phil", "with_phil"]

__getattr__ = module_getattr(globals())

CLASS_T_VERS = 1
FILTER_ERROR = -1
FILTER_NONE = 0
FILTER_ALL = 0
FILTER_DEFLATE = 1
FILTER_SHUFFLE = 2
FILTER_FLETCHER32 = 3
FILTER_SZIP = 4
FILTER_NBIT = 5
FILTER_SCALEOFFSET = 6
FILTER_LZF = 32000
FILTER_RESERVED = 256
FILTER_MAX = 65535
FLAG_DEFMASK = 255
FLAG_MANDATORY = 0
FLAG_OPTIONAL = 1
FLAG_INVMASK = 65280
FLAG_REVERSE = 256
FLAG_SKIP_EDC = 512
SZIP_ALLOW_K13_OPTION_MASK = 1
SZIP_CHIP_OPTION_MASK = 2
SZIP_EC_OPTION_MASK = 4
SZIP_NN_OPTION_MASK = 32
SZIP_MAX_PIXELS_PER_BLOCK = 32
SO_FLOAT_DSCALE = 0
SO_FLOAT_ESCALE = 1
SO_INT = 2
SO_INT_MINBITS_DEFAULT = 0
FILTER_CONFIG_ENCODE_ENABLED = 1
FILTER_CONFIG_DECODE_ENABLED = 2
ERROR_EDC = -1
DISABLE_EDC = 0
ENABLE_EDC = 1
NO_EDC = 2


def _check_id(filter_code: int) -> int:
    code = int(filter_code)
    if not 0 <= code <= FILTER_MAX:
        raise ValueError(
            "Invalid filter identification number (invalid filter identification number)"
        )
    return code


def filter_avail(filter_code: int) -> bool:
    """Whether a codec for the filter ``filter_code`` can run here."""
    return filter_for(_check_id(filter_code)).available()


def get_filter_info(filter_code: int) -> int:
    """``FILTER_CONFIG_ENCODE_ENABLED | FILTER_CONFIG_DECODE_ENABLED`` for a filter that can
    run; raises when none is registered (as libhdf5)."""
    if not filter_avail(filter_code):
        raise ValueError("Filter info not retrieved (Filter id not registered or not available)")
    return FILTER_CONFIG_ENCODE_ENABLED | FILTER_CONFIG_DECODE_ENABLED
