"""The ``format`` of a data answer: ``json`` (default), ``bin``, ``npy``, ``csv``, ``tiff``,
with h5grove's content types and download names.

``bin`` is the elements' bytes as stored in memory (what H5Web turns into typed arrays),
``npy`` numpy's own file format (``numpy.save``), ``csv`` ``numpy.savetxt`` with commas,
``tiff`` a baseline TIFF written here (one uncompressed strip, ``MinIsBlack``, the sample
format and bits of the array's type) -- h5grove uses tifffile, whose files carry extra
tags, so TIFF answers are compared by the pixels they hold, not by their bytes.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import numpy as np

from . import jsonenc
from .model import ViewerError


@dataclass(frozen=True)
class Encoded:
    """A response body and the headers that describe it."""

    body: bytes
    content_type: str
    disposition: str | None = None


def _is_numeric(arr: np.ndarray) -> bool:
    return bool(np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_))


def encode(value: object, fmt: str | None) -> Encoded:
    """``value`` (a data answer) in the format ``fmt``; 422 when the format does not fit."""
    if fmt in ("json", None):
        return Encoded(jsonenc.dumps(value), "application/json")
    arr = np.asarray(value)
    if fmt == "bin":
        if arr.dtype.hasobject:
            raise ViewerError(
                422, "Unsupported encoding bin for variable-length or reference data"
            )
        return Encoded(arr.tobytes(), "application/octet-stream")
    if not _is_numeric(arr):
        raise ViewerError(422, f"Unsupported encoding {fmt} for non-numeric content")
    if fmt == "npy":
        buf = io.BytesIO()
        np.save(buf, arr)
        return Encoded(buf.getvalue(), "application/octet-stream", 'attachment; filename="data.npy"')
    if arr.ndim == 0:
        raise ViewerError(422, f"Unsupported encoding {fmt} for empty and scalar datasets")
    if fmt == "csv":
        if arr.ndim > 2:
            raise ViewerError(422, "Unsupported encoding csv for more than two dimensions")
        buf = io.BytesIO()
        np.savetxt(buf, arr, delimiter=",")
        return Encoded(buf.getvalue(), "text/csv", 'attachment; filename="data.csv"')
    if fmt == "tiff":
        return Encoded(tiff_bytes(arr), "image/tiff", 'attachment; filename="data.tiff"')
    raise ViewerError(422, f"Unsupported encoding {fmt}")


# TIFF 6.0 baseline: tag numbers and field types
_SHORT, _LONG = 3, 4
_SAMPLE_FORMATS = {"u": 1, "b": 1, "i": 2, "f": 3}


def tiff_bytes(arr: np.ndarray) -> bytes:
    """A little-endian, uncompressed, single-strip grayscale TIFF of a 2-D array."""
    if arr.ndim != 2:
        raise ViewerError(422, "Unsupported encoding tiff for other than two dimensions")
    if arr.dtype.kind not in _SAMPLE_FORMATS:
        raise ViewerError(422, f"Unsupported encoding tiff for {arr.dtype} data")
    if arr.dtype.kind == "b":
        arr = arr.astype("u1")
    if arr.dtype.kind == "f" and arr.dtype.itemsize < 4:
        arr = arr.astype("<f4")
    pixels = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
    height, width = arr.shape
    tags = [
        (256, _LONG, width),  # ImageWidth
        (257, _LONG, height),  # ImageLength
        (258, _SHORT, arr.dtype.itemsize * 8),  # BitsPerSample
        (259, _SHORT, 1),  # Compression: none
        (262, _SHORT, 1),  # PhotometricInterpretation: MinIsBlack
        (273, _LONG, 0),  # StripOffsets (patched below)
        (277, _SHORT, 1),  # SamplesPerPixel
        (278, _LONG, height),  # RowsPerStrip
        (279, _LONG, len(pixels)),  # StripByteCounts
        (284, _SHORT, 1),  # PlanarConfiguration: chunky
        (339, _SHORT, _SAMPLE_FORMATS[arr.dtype.kind]),  # SampleFormat
    ]
    ifd_offset = 8
    ifd_size = 2 + 12 * len(tags) + 4
    data_offset = ifd_offset + ifd_size
    out = bytearray(b"II*\x00" + struct.pack("<I", ifd_offset))
    out += struct.pack("<H", len(tags))
    for tag, kind, value in tags:
        if tag == 273:
            value = data_offset
        packed = struct.pack("<HI", value, 0)[:4] if kind == _SHORT else struct.pack("<I", value)
        out += struct.pack("<HHI", tag, kind, 1) + packed
    out += struct.pack("<I", 0)  # no next IFD
    out += pixels
    return bytes(out)
