"""``obj.regionref``: making region references, and the shapes they describe."""

from __future__ import annotations

from typing import Any

from ..dtypes import RegionReference
from ..format.selection_codec import SelectionType, SerializedSelection


class RegionProxy:
    """h5py's ``obj.regionref``: ``dset.regionref[sel]`` makes a region reference to
    ``dset[sel]``; on any object of the file, ``.shape(ref)`` is the shape of the
    referenced dataset and ``.selection(ref)`` the shape ``dset[ref]`` reads."""

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __getitem__(self, args: Any) -> RegionReference:
        from .dataset import Dataset, _RegionRefMaker

        dset = self.obj
        if not isinstance(dset, Dataset):
            raise TypeError("Region references can only be made to datasets")
        if dset.shape == () and (args == () or args is Ellipsis or args == (Ellipsis,)):
            # a scalar dataset: the "all" selection of its scalar dataspace
            return RegionReference(dset._info.address, SerializedSelection(SelectionType.ALL, 0))
        return _RegionRefMaker(dset)[args]

    def _target(self, ref: Any) -> Any:
        return self.obj.file[ref]

    def shape(self, ref: Any) -> Any:
        """The shape of the dataset ``ref`` points into."""
        return self._target(ref).shape

    def selection(self, ref: Any) -> Any:
        """The shape of the region ``ref`` selects (h5py's ``guess_shape``)."""
        from .dataset import region_shape

        shape = self._target(ref).shape
        if shape is None:
            return None
        selection = getattr(ref, "selection", None)
        if selection is None:
            return tuple(shape)
        if shape == ():
            return () if selection.kind == "all" else None
        return region_shape(selection, tuple(shape))
