"""h5py's ``h5ds``: dimension scales, on h5pure's ``dset.dims`` (libhdf5's H5DS layout)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..hl.dims import DimensionProxy, make_scale
from ..hl.dims import is_scale as _is_scale
from ._ids import module_getattr
from ._objects import phil, with_phil
from ._wrap import hl_object, object_id

__all__ = [
    "attach_scale",
    "detach_scale",
    "get_label",
    "get_num_scales",
    "get_scale_name",
    "is_attached",
    "is_scale",
    "iterate",
    "phil",
    "set_label",
    "set_scale",
    "with_phil",
]

__getattr__ = module_getattr(globals())


def _dset(dsid: Any) -> Any:
    return hl_object(dsid, "dataset")


def set_scale(dsid: Any, dimname: Any = b"") -> None:
    """Make the dataset a dimension scale named ``dimname``."""
    make_scale(_dset(dsid), dimname)


def is_scale(dsid: Any) -> bool:
    """Whether the dataset is a dimension scale (its ``CLASS`` is ``DIMENSION_SCALE``)."""
    return bool(_is_scale(_dset(dsid)))


def attach_scale(dsid: Any, dscale_id: Any, idx: int) -> None:
    """Attach the scale ``dscale_id`` to dimension ``idx`` of ``dsid``."""
    DimensionProxy(_dset(dsid), int(idx)).attach_scale(_dset(dscale_id))


def detach_scale(dsid: Any, dscale_id: Any, idx: int) -> None:
    """Detach the scale ``dscale_id`` from dimension ``idx`` of ``dsid`` (an error when it
    is not attached there)."""
    DimensionProxy(_dset(dsid), int(idx)).detach_scale(_dset(dscale_id))


def is_attached(dsid: Any, dscale_id: Any, idx: int) -> bool:
    """Whether the scale ``dscale_id`` is attached to dimension ``idx`` of ``dsid``."""
    scale = _dset(dscale_id)
    return any(s == scale for s in DimensionProxy(_dset(dsid), int(idx)).values())


def get_num_scales(dsid: Any, idx: int) -> int:
    """The number of scales attached to dimension ``idx`` of the dataset."""
    return len(DimensionProxy(_dset(dsid), int(idx)))


def set_label(dsid: Any, idx: int, label: Any) -> None:
    """Give dimension ``idx`` of the dataset the label ``label`` (bytes or str)."""
    value = label.decode("utf-8", "surrogateescape") if isinstance(label, bytes) else label
    DimensionProxy(_dset(dsid), int(idx)).label = value


def get_label(dsid: Any, idx: int) -> bytes:
    """The label of dimension ``idx`` of the dataset, as bytes (``b""`` when unset)."""
    return DimensionProxy(_dset(dsid), int(idx)).label.encode("utf-8", "surrogateescape")


def get_scale_name(dscale_id: Any) -> bytes:
    """The scale's ``NAME`` (empty when it has none)."""
    dset = _dset(dscale_id)
    name = dset.attrs.get("NAME")
    if name is None:
        return b""
    raw = name if isinstance(name, bytes) else str(name).encode("utf-8", "surrogateescape")
    return raw.split(b"\0", 1)[0]


def iterate(dsid: Any, dim: int, func: Callable[[Any], Any], startidx: int = 0) -> Any:
    """Call ``func(scale_id)`` for the scales of dimension ``dim`` from ``startidx`` on,
    until it returns something other than None."""
    for scale in DimensionProxy(_dset(dsid), int(dim)).values()[int(startidx) :]:
        found = func(object_id(scale))
        if found is not None:
            return found
    return None
