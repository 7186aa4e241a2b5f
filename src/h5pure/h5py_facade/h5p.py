"""h5py's ``h5p``: property lists.

A facade property list is a record of settings, nothing more.  Setters store; getters read
back what was stored, or -- for the lists objects give out (``dset.id.get_create_plist()``,
``f.id.get_access_plist()``...) -- what h5pure knows of that object.  The calls that take
a property list (``h5d.create``, ``h5f.create``...) turn it into the high-level keywords
h5pure honours and refuse, naming them, the settings it cannot honour; nothing set is
silently dropped.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..lowlevel.chunkcache import ChunkCacheSettings
from ._ids import FacadeID, module_getattr
from ._objects import phil, with_phil
from .h5fd import driver_id
from .h5z import filter_avail

__all__ = [
    "CRT_ORDER_INDEXED",
    "CRT_ORDER_TRACKED",
    "DEFAULT",
    "PropID",
    "create",
    "phil",
    "with_phil",
]

__getattr__ = module_getattr(globals())

CRT_ORDER_TRACKED = 1
CRT_ORDER_INDEXED = 2
DEFAULT = None
"""``H5P_DEFAULT``: every call takes None for "the default list"."""

# libhdf5's enumerations the lists store (h5d/h5f constants, repeated to avoid a cycle)
_LAYOUT_COMPACT, _LAYOUT_CONTIGUOUS, _LAYOUT_CHUNKED, _LAYOUT_VIRTUAL = 0, 1, 2, 3
_FILL_TIME_IFSET = 2
_ALLOC_TIME_DEFAULT, _ALLOC_TIME_EARLY, _ALLOC_TIME_LATE, _ALLOC_TIME_INCR = 0, 1, 2, 3
_LAYOUT_ALLOC_TIME = {
    _LAYOUT_COMPACT: _ALLOC_TIME_EARLY,
    _LAYOUT_CONTIGUOUS: _ALLOC_TIME_LATE,
    _LAYOUT_CHUNKED: _ALLOC_TIME_INCR,
    _LAYOUT_VIRTUAL: _ALLOC_TIME_INCR,
}
"""libhdf5's allocation time of each layout, until one is set (``H5P__set_layout``)."""
_FILTER_DEFLATE, _FILTER_SHUFFLE, _FILTER_FLETCHER32, _FILTER_SZIP = 1, 2, 3, 4
_FILTER_SCALEOFFSET = 6
_FLAG_OPTIONAL = 1
_CACHE = ChunkCacheSettings()
"""libhdf5's default chunk cache, as h5pure's."""


class PropID(FacadeID):
    """A property list: settings by name."""

    _class_name = "NO_CLASS"
    _defaults: dict[str, Any] = {}

    def __init__(self, **settings: Any) -> None:
        self._props: dict[str, Any] = dict(self._defaults)
        self._props.update(settings)
        self._explicit: set[str] = set(settings)
        """The settings given a value (by a setter or by the object described)."""

    def _set(self, name: str, value: Any) -> None:
        self._props[name] = value
        self._explicit.add(name)

    def _get(self, name: str) -> Any:
        return self._props.get(name)

    def changed(self) -> dict[str, Any]:
        """The settings given a value (beyond h5py: what a creation call must honour)."""
        return {k: self._props[k] for k in self._explicit}

    def copy(self) -> PropID:
        """An independent copy of the list, with the same settings."""
        out = type(self)()
        out._props = dict(self._props)
        out._explicit = set(self._explicit)
        return out

    def get_class(self) -> PropClassID:
        """The list's class (``h5p.DATASET_CREATE``...)."""
        return _CLASSES[self._class_name]

    def equal(self, other: PropID) -> bool:
        """Whether ``other`` is a list of the same class holding the same settings."""
        return type(self) is type(other) and self._props == other._props

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PropID):
            return NotImplemented
        return self.equal(other)

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(self._props))))


class PropClassID(FacadeID):
    """A property list class (``h5p.DATASET_CREATE``...): ``h5p.create(cls)`` makes one."""

    def __init__(self, name: str, factory: type[PropID]) -> None:
        self._name = name
        self._factory = factory

    def __repr__(self) -> str:
        return f"<h5py.h5p.PropClassID {self._name}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PropClassID) and self._name == other._name

    def __hash__(self) -> int:
        return hash(self._name)


class PropInstanceID(PropID):
    """A property list that is an instance of a class (the base of every list)."""

    pass


class PropCreateID(PropInstanceID):
    """The base of the creation property lists."""

    pass


class PropCopyID(PropInstanceID):
    """The base of the object copy property list."""

    pass


# -- object creation (groups, datasets, committed types) ----------------------------------
class PropOCID(PropCreateID):
    """Object creation: times, attribute creation order, attribute storage."""

    _class_name = "OBJECT_CREATE"
    _defaults = {"obj_track_times": True, "attr_creation_order": 0, "attr_phase_change": (8, 6)}

    def set_obj_track_times(self, track_times: bool) -> None:
        """Whether objects made with this list record their modification times."""
        self._set("obj_track_times", bool(track_times))

    def get_obj_track_times(self) -> bool:
        """Whether objects made with this list record their modification times."""
        return bool(self._get("obj_track_times"))

    def set_attr_creation_order(self, flags: int) -> None:
        """Track (``CRT_ORDER_TRACKED``) and index (``CRT_ORDER_INDEXED``) the creation
        order of attributes."""
        self._set("attr_creation_order", int(flags))

    def get_attr_creation_order(self) -> int:
        """The attribute creation order flags (``CRT_ORDER_TRACKED | CRT_ORDER_INDEXED``)."""
        return int(self._get("attr_creation_order"))

    def set_attr_phase_change(self, max_compact: int = 8, min_dense: int = 6) -> None:
        """The attribute counts at which storage switches from compact to dense
        (``max_compact``) and back (``min_dense``); not honoured here (creating an object
        with it set raises NotImplementedError)."""
        if int(max_compact) > 65535:
            raise ValueError(
                "max compact value must be < 65536 (max compact value must be < 65536)"
            )
        if int(min_dense) > int(max_compact) + 1:
            raise ValueError(
                "min dense value must be <= max compact value + 1 "
                "(min dense value must be <= max compact value + 1)"
            )
        self._set("attr_phase_change", (int(max_compact), int(min_dense)))

    def get_attr_phase_change(self) -> tuple[int, int]:
        """``(max_compact, min_dense)``: see :meth:`set_attr_phase_change`."""
        return tuple(self._get("attr_phase_change"))  # type: ignore[return-value]


class PropGCID(PropOCID):
    """Group creation: link creation order."""

    _class_name = "GROUP_CREATE"
    _defaults = {**PropOCID._defaults, "link_creation_order": 0}

    def set_link_creation_order(self, flags: int) -> None:
        """Track (``CRT_ORDER_TRACKED``) and index (``CRT_ORDER_INDEXED``) the creation
        order of links."""
        self._set("link_creation_order", int(flags))

    def get_link_creation_order(self) -> int:
        """The link creation order flags."""
        return int(self._get("link_creation_order"))


class PropFCID(PropGCID):
    """File creation: user block, sizes of offsets and lengths."""

    _class_name = "FILE_CREATE"
    _defaults = {
        **PropGCID._defaults,
        "userblock": 0,
        "sizes": (8, 8),
        "file_space_strategy": (0, False, 1),
        "file_space_page_size": 4096,
    }

    def set_userblock(self, size: int) -> None:
        """The size in bytes of the user block before the HDF5 data."""
        self._set("userblock", int(size))

    def get_userblock(self) -> int:
        """The size in bytes of the user block."""
        return int(self._get("userblock"))

    def get_sizes(self) -> tuple[int, int]:
        """``(sizeof_addr, sizeof_size)``: the byte widths of file offsets and lengths."""
        return tuple(self._get("sizes"))  # type: ignore[return-value]

    def get_file_space_strategy(self) -> tuple[int, bool, int]:
        """``(strategy, persist, threshold)``: how file space is managed."""
        return tuple(self._get("file_space_strategy"))  # type: ignore[return-value]

    def set_file_space_strategy(self, strategy: int, persist: bool, threshold: int) -> None:
        """Set how file space is managed (``h5f.FSPACE_STRATEGY_*``), stored in a file
        ``h5f.create`` makes with this list."""
        if int(strategy) not in range(4):  # (the four of lowlevel.opening.FS_STRATEGIES)
            raise ValueError(f"invalid file space strategy {strategy}")
        self._set("file_space_strategy", (int(strategy), bool(persist), int(threshold)))

    def get_file_space_page_size(self) -> int:
        """The page size of paged file space management (libhdf5's default, 4096)."""
        return int(self._get("file_space_page_size"))

    def set_file_space_page_size(self, size: int) -> None:
        """The page size of paged file space management (at least 512, as libhdf5)."""
        from ..lowlevel.opening import check_fs_page_size

        self._set("file_space_page_size", check_fs_page_size(size))


class PropTCID(PropOCID):
    """Datatype creation."""

    _class_name = "DATATYPE_CREATE"


class PropDCID(PropOCID):
    """Dataset creation: layout, chunks, fill value and time, filters, external files,
    virtual mappings."""

    _class_name = "DATASET_CREATE"
    _defaults = {
        **PropOCID._defaults,
        "layout": _LAYOUT_CONTIGUOUS,
        "chunk": None,
        "fill_value": None,
        "fill_time": _FILL_TIME_IFSET,
        "alloc_time": _ALLOC_TIME_LATE,
        "filters": (),
        "external": (),
        "virtual": (),
    }

    # -- layout --------------------------------------------------------------------------
    def set_layout(self, layout: int) -> None:
        """The storage layout (``h5d.CONTIGUOUS``, ``CHUNKED``, ``COMPACT``, ``VIRTUAL``); a
        layout other than chunked also sets the allocation time to ``ALLOC_TIME_LATE``."""
        self._set("layout", int(layout))
        if "alloc_time" not in self._explicit:
            self._props["alloc_time"] = _LAYOUT_ALLOC_TIME.get(int(layout), _ALLOC_TIME_LATE)

    def get_layout(self) -> int:
        """The storage layout (``h5d.CONTIGUOUS``...)."""
        return int(self._get("layout"))

    def dataset_keywords(self, dtype: np.dtype | None) -> dict[str, Any]:
        """Beyond h5py: the ``create_dataset`` keywords this list stands for (the fill
        value converted to ``dtype`` when known), ``compact=True`` for the compact
        layout; what h5pure's ``Group.create_dataset(dcpl=...)`` reads."""
        from .h5d import dcpl_keywords  # h5d imports this module

        kwds = dcpl_keywords(self, dtype)
        if self.get_layout() == _LAYOUT_COMPACT:
            kwds["compact"] = True
        return kwds

    def set_chunk(self, chunksize: Any) -> None:
        """Store the dataset in chunks of shape ``chunksize`` (the layout becomes chunked)."""
        chunks = tuple(int(c) for c in chunksize)
        if not chunks or any(c <= 0 for c in chunks):
            raise ValueError(
                "All chunk dimensions must be positive (all chunk dimensions must be positive)"
            )
        self._set("chunk", chunks)
        self.set_layout(_LAYOUT_CHUNKED)

    def get_chunk(self) -> tuple[int, ...]:
        """The chunk shape (ValueError when none was set)."""
        chunk = self._get("chunk")
        if chunk is None:
            raise ValueError("Not a chunked storage layout (not a chunked storage layout)")
        return tuple(chunk)

    # -- fill value ----------------------------------------------------------------------
    def set_fill_value(self, value: Any) -> None:
        """The value unwritten elements read as (a 0-d array or scalar)."""
        self._set("fill_value", np.array(value))

    def get_fill_value(self, value: np.ndarray) -> None:
        """Write the fill value into the 0-d or 1-element array ``value``."""
        fill = self._get("fill_value")
        if fill is None:
            value[...] = np.zeros((), dtype=value.dtype)
        else:
            value[...] = np.asarray(fill).astype(value.dtype, copy=False)

    def fill_value_defined(self) -> int:
        """``FILL_VALUE_DEFAULT`` (1) or ``FILL_VALUE_USER_DEFINED`` (2)."""
        return 1 if self._get("fill_value") is None else 2

    def set_fill_time(self, fill_time: int) -> None:
        """When the fill value is written: ``h5d.FILL_TIME_ALLOC``, ``FILL_TIME_NEVER`` or
        ``FILL_TIME_IFSET``."""
        self._set("fill_time", int(fill_time))

    def get_fill_time(self) -> int:
        """When the fill value is written (``h5d.FILL_TIME_*``)."""
        return int(self._get("fill_time"))

    def set_alloc_time(self, alloc_time: int) -> None:
        """When file space is allocated (``h5d.ALLOC_TIME_*``); ``ALLOC_TIME_DEFAULT`` goes
        back to the layout's own time, as libhdf5 does."""
        if int(alloc_time) == _ALLOC_TIME_DEFAULT:
            # back to the layout's own time, as libhdf5 does
            self._explicit.discard("alloc_time")
            layout = int(self._get("layout"))
            self._props["alloc_time"] = _LAYOUT_ALLOC_TIME.get(layout, _ALLOC_TIME_LATE)
            return
        self._set("alloc_time", int(alloc_time))

    def get_alloc_time(self) -> int:
        """When file space is allocated (``h5d.ALLOC_TIME_*``)."""
        return int(self._get("alloc_time"))

    # -- filters -------------------------------------------------------------------------
    def _add_filter(self, code: int, flags: int, values: tuple[int, ...], name: bytes) -> None:
        filters = [f for f in self._get("filters") if f[0] != code]
        filters.append((int(code), int(flags), tuple(int(v) for v in values), name))
        self._set("filters", tuple(filters))

    def set_filter(self, filter_code: int, flags: int = 0, values: Any = None) -> None:
        """Add the filter ``filter_code`` with ``flags`` and integer parameters ``values`` to
        the pipeline (a filter with the same id already there is replaced and moves last)."""
        self._add_filter(filter_code, flags, tuple(values or ()), b"")

    def set_deflate(self, level: int = 5) -> None:
        """Add the deflate (gzip) filter at ``level`` (0-9)."""
        self._add_filter(_FILTER_DEFLATE, _FLAG_OPTIONAL, (int(level),), b"deflate")

    def set_shuffle(self) -> None:
        """Add the byte-shuffle filter."""
        self._add_filter(_FILTER_SHUFFLE, _FLAG_OPTIONAL, (), b"shuffle")

    def set_fletcher32(self) -> None:
        """Add the Fletcher-32 checksum filter."""
        self._add_filter(_FILTER_FLETCHER32, 0, (), b"fletcher32")

    def set_szip(self, options: int, pixels_per_block: int) -> None:
        """Add the szip filter with ``options`` (``h5z.SZIP_*_OPTION_MASK``) and
        ``pixels_per_block``."""
        self._add_filter(
            _FILTER_SZIP, _FLAG_OPTIONAL, (int(options), int(pixels_per_block)), b"szip"
        )

    def set_scaleoffset(self, scale_type: int, scale_factor: int) -> None:
        """Add the scale-offset filter (``scale_type``: ``h5z.SO_*``)."""
        self._add_filter(
            _FILTER_SCALEOFFSET,
            _FLAG_OPTIONAL,
            (int(scale_type), int(scale_factor)),
            b"scaleoffset",
        )

    def get_nfilters(self) -> int:
        """The number of filters in the pipeline."""
        return len(self._get("filters"))

    def get_filter(self, index: int) -> tuple[int, int, tuple[int, ...], bytes]:
        """``(filter_code, flags, values, name)`` of the ``index``-th filter."""
        filters = self._get("filters")
        if not 0 <= int(index) < len(filters):
            raise ValueError("Filter number is invalid (filter number is invalid)")
        return filters[int(index)]  # type: ignore[no-any-return]

    def get_filter_by_id(self, filter_code: int) -> tuple[int, tuple[int, ...], bytes] | None:
        """``(flags, values, name)`` of the filter ``filter_code``; None when it is not in the
        pipeline."""
        for code, flags, values, name in self._get("filters"):
            if code == int(filter_code):
                return flags, values, name
        return None

    def all_filters_avail(self) -> bool:
        """Whether every filter of the pipeline can run here."""
        return all(filter_avail(f[0]) for f in self._get("filters"))

    def remove_filter(self, filter_class: int) -> None:
        """Remove the filter ``filter_class`` from the pipeline (``h5z.FILTER_ALL``: every
        filter)."""
        keep = tuple(f for f in self._get("filters") if f[0] != int(filter_class) and filter_class)
        self._set("filters", keep)

    # -- external storage and virtual mappings --------------------------------------------
    def set_external(self, name: Any, offset: int, size: int) -> None:
        """Add ``size`` bytes at ``offset`` of the external file ``name`` to the dataset's
        storage."""
        self._set("external", (*self._get("external"), (name, int(offset), int(size))))

    def get_external_count(self) -> int:
        """The number of external files of the dataset's storage."""
        return len(self._get("external"))

    def get_external(self, idx: int) -> tuple[Any, int, int]:
        """``(name, offset, size)`` of external file ``idx`` (the name as it was given)."""
        return self._get("external")[int(idx)]  # type: ignore[no-any-return]

    def set_virtual(
        self, vspace: Any, src_file_name: Any, src_dset_name: Any, src_space: Any
    ) -> None:
        """Map what ``src_space`` selects of dataset ``src_dset_name`` in file
        ``src_file_name`` ("." for this file) to what ``vspace`` selects of the virtual
        dataset (both dataspaces are copied as they are now)."""
        mapping = VirtualMapping(
            vspace.copy(), _text(src_file_name), _text(src_dset_name), src_space.copy()
        )
        self._set("virtual", (*self._get("virtual"), mapping))
        self._set("layout", _LAYOUT_VIRTUAL)

    def get_virtual_vspace(self, index: int) -> Any:
        """The virtual dataset's dataspace of mapping ``index`` (with its selection)."""
        return self._get("virtual")[int(index)].vspace

    def get_virtual_srcspace(self, index: int) -> Any:
        """The source dataspace of mapping ``index`` (with its selection)."""
        return self._get("virtual")[int(index)].src_space

    def get_virtual_count(self) -> int:
        """The number of virtual mappings."""
        return len(self._get("virtual"))

    def get_virtual_filename(self, index: int) -> str:
        """The source file name of mapping ``index``."""
        return str(self._get("virtual")[int(index)].file_name)

    def get_virtual_dsetname(self, index: int) -> str:
        """The source dataset path of mapping ``index``."""
        return str(self._get("virtual")[int(index)].dset_name)


class VirtualMapping(NamedTuple):
    """One mapping set with ``set_virtual`` (the fields of h5py's ``VDSmap``)."""

    vspace: Any
    file_name: str
    dset_name: str
    src_space: Any


def _text(value: Any) -> str:
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else str(value)


class PropDAID(PropInstanceID):
    """Dataset access: chunk cache, prefixes."""

    _class_name = "DATASET_ACCESS"
    _defaults = {
        "chunk_cache": (_CACHE.nslots, _CACHE.nbytes, _CACHE.w0),
        "virtual_prefix": b"",
        "efile_prefix": b"",
        "virtual_view": 1,
        "virtual_printf_gap": 0,
    }

    def set_chunk_cache(self, rdcc_nslots: int, rdcc_nbytes: int, rdcc_w0: float) -> None:
        """The dataset's chunk cache: hash slots, size in bytes and eviction weight (0-1)."""
        self._set("chunk_cache", (int(rdcc_nslots), int(rdcc_nbytes), float(rdcc_w0)))

    def get_chunk_cache(self) -> tuple[int, int, float]:
        """``(nslots, nbytes, w0)`` of the dataset's chunk cache."""
        return tuple(self._get("chunk_cache"))  # type: ignore[return-value]

    def set_virtual_prefix(self, prefix: bytes) -> None:
        """The directory relative source file names of a virtual dataset are looked for in."""
        self._set("virtual_prefix", bytes(prefix))

    def get_virtual_prefix(self) -> bytes:
        """The directory relative virtual source files are looked for in."""
        return bytes(self._get("virtual_prefix"))

    def set_efile_prefix(self, prefix: bytes) -> None:
        """The directory relative external file names are looked for in."""
        self._set("efile_prefix", bytes(prefix))

    def get_efile_prefix(self) -> bytes:
        """The directory relative external files are looked for in."""
        return bytes(self._get("efile_prefix"))

    def get_virtual_view(self) -> int:
        """How missing virtual sources bound the view (always ``h5d.VDS_LAST_AVAILABLE``
        here: there is no setter)."""
        return int(self._get("virtual_view"))

    def get_virtual_printf_gap(self) -> int:
        """How many missing printf-named source files to skip (always 0 here: there is no
        setter)."""
        return int(self._get("virtual_printf_gap"))


class PropDXID(PropInstanceID):
    """Data transfer."""

    _class_name = "DATASET_XFER"


class PropLCID(PropCreateID):
    """Link creation: intermediate groups, character set.  The facade's calls accept
    such a list and ignore it (h5pure always creates missing intermediate groups)."""

    _class_name = "LINK_CREATE"
    _defaults = {"create_intermediate_group": False, "char_encoding": 0}

    def set_create_intermediate_group(self, create: bool) -> None:
        """Whether missing groups along a new link's path are created."""
        self._set("create_intermediate_group", bool(create))

    def get_create_intermediate_group(self) -> bool:
        """Whether missing groups along a new link's path are created."""
        return bool(self._get("create_intermediate_group"))

    def set_char_encoding(self, encoding: int) -> None:
        """The character set of new link names (``h5t.CSET_ASCII``, ``CSET_UTF8``)."""
        self._set("char_encoding", int(encoding))

    def get_char_encoding(self) -> int:
        """The character set of new link names."""
        return int(self._get("char_encoding"))


class PropLAID(PropInstanceID):
    """Link access: external link prefix, flags and access list.  The facade's calls
    accept such a list and ignore it."""

    _class_name = "LINK_ACCESS"
    _defaults = {"nlinks": 16, "elink_prefix": b"", "elink_fapl": None, "elink_acc_flags": 0}

    def set_nlinks(self, nlinks: int) -> None:
        """The most soft and external links followed in one lookup."""
        self._set("nlinks", int(nlinks))

    def get_nlinks(self) -> int:
        """The most soft and external links followed in one lookup."""
        return int(self._get("nlinks"))

    def set_elink_prefix(self, prefix: bytes) -> None:
        """The directory external link targets are looked for in."""
        self._set("elink_prefix", bytes(prefix))

    def get_elink_prefix(self) -> bytes:
        """The directory external link targets are looked for in."""
        return bytes(self._get("elink_prefix"))

    def set_elink_fapl(self, fapl: Any) -> None:
        """The file access list external link targets are opened with."""
        self._set("elink_fapl", fapl)

    def get_elink_fapl(self) -> Any:
        """The file access list external link targets are opened with (None when unset)."""
        return self._get("elink_fapl")

    def set_elink_acc_flags(self, flags: int) -> None:
        """The access flags (``h5f.ACC_*``) external link targets are opened with."""
        self._set("elink_acc_flags", int(flags))

    def get_elink_acc_flags(self) -> int:
        """The access flags external link targets are opened with."""
        return int(self._get("elink_acc_flags"))


class PropFAID(PropInstanceID):
    """File access: driver, library version bounds, caches, locking."""

    _class_name = "FILE_ACCESS"
    _defaults = {
        "driver": None,
        "libver_bounds": (0, 5),
        "cache": (0, _CACHE.nslots, _CACHE.nbytes, _CACHE.w0),
        "fclose_degree": 1,
        "alignment": (1, 1),
        "meta_block_size": 2048,
        "sieve_buf_size": 65536,
        "page_buffer_size": (0, 0, 0),
        "file_locking": (True, True),
        "core": None,
        "family": None,
        "driver_name": "sec2",
        "file_image": None,
    }

    def set_file_image(self, image: Any) -> None:
        """The initial content of a file opened with this list (copied): the file is
        then opened in memory with the core driver, and its name only names it."""
        self._set("file_image", bytes(memoryview(image).cast("B")))

    def get_file_image(self) -> bytes:
        """The file image set with :meth:`set_file_image` (``b""`` when none)."""
        return bytes(self._get("file_image") or b"")

    def get_driver(self) -> int:
        """h5py's number of the driver set (``h5fd.SEC2``, ``CORE``...)."""
        return driver_id(str(self._get("driver_name")))

    def set_fapl_sec2(self) -> None:
        """Use the sec2 (POSIX I/O) driver, the default."""
        self._set("driver_name", "sec2")

    def set_fapl_stdio(self) -> None:
        """Use the stdio (C buffered I/O) driver."""
        self._set("driver_name", "stdio")

    def set_fapl_core(self, block_size: int = 64 * 1024, backing_store: bool = True) -> None:
        """Use the core (in-memory) driver, growing by ``block_size`` bytes, written to disk at
        close when ``backing_store``."""
        self._set("driver_name", "core")
        self._set("core", (int(block_size), bool(backing_store)))

    def get_fapl_core(self) -> tuple[int, bool]:
        """``(block_size, backing_store)`` of the core driver (ValueError when not set)."""
        core = self._get("core")
        if core is None:
            raise ValueError("The core driver is not set (incorrect VFL driver)")
        return tuple(core)  # type: ignore[return-value]

    def set_fapl_family(self, memb_size: int = 2**31 - 1, memb_fapl: Any = None) -> None:
        """Use the family driver with members of ``memb_size`` bytes (``memb_fapl`` is
        accepted and ignored)."""
        self._set("driver_name", "family")
        self._set("family", int(memb_size))

    def get_fapl_family(self) -> tuple[int, Any]:
        """``(memb_size, memb_fapl)`` of the family driver; ``memb_fapl`` is always a new
        default list (ValueError when the driver is not set)."""
        family = self._get("family")
        if family is None:
            raise ValueError("The family driver is not set (incorrect VFL driver)")
        return int(family), PropFAID()

    def set_libver_bounds(self, low: int, high: int) -> None:
        """The earliest and latest format versions (``h5f.LIBVER_*``) objects may be written
        with."""
        self._set("libver_bounds", (int(low), int(high)))

    def get_libver_bounds(self) -> tuple[int, int]:
        """``(low, high)``: the format version bounds (``h5f.LIBVER_*``)."""
        return tuple(self._get("libver_bounds"))  # type: ignore[return-value]

    def set_cache(self, mdc: int, rdcc: int, rdcc_nbytes: int, rdcc_w0: float) -> None:
        """The file's default chunk cache (slots ``rdcc``, bytes, eviction weight); ``mdc``,
        libhdf5's unused metadata cache count, is kept but not used."""
        self._set("cache", (int(mdc), int(rdcc), int(rdcc_nbytes), float(rdcc_w0)))

    def get_cache(self) -> tuple[int, int, int, float]:
        """``(mdc, rdcc_nslots, rdcc_nbytes, rdcc_w0)``."""
        return tuple(self._get("cache"))  # type: ignore[return-value]

    def set_fclose_degree(self, degree: int) -> None:
        """How closing the file treats its open objects (``h5f.CLOSE_*``); opening with
        anything but ``CLOSE_DEFAULT`` or ``CLOSE_WEAK`` raises NotImplementedError."""
        self._set("fclose_degree", int(degree))

    def get_fclose_degree(self) -> int:
        """How closing the file treats its open objects (``h5f.CLOSE_*``)."""
        return int(self._get("fclose_degree"))

    def set_alignment(self, threshold: int, alignment: int) -> None:
        """Align objects of at least ``threshold`` bytes on multiples of ``alignment``; not
        honoured here (opening or creating a file with it set raises NotImplementedError)."""
        self._set("alignment", (int(threshold), int(alignment)))

    def get_alignment(self) -> tuple[int, int]:
        """``(threshold, alignment)``."""
        return tuple(self._get("alignment"))  # type: ignore[return-value]

    def set_meta_block_size(self, size: int) -> None:
        """The size of the blocks small metadata is allocated in."""
        self._set("meta_block_size", int(size))

    def get_meta_block_size(self) -> int:
        """The size of the blocks small metadata is allocated in."""
        return int(self._get("meta_block_size"))

    def set_sieve_buf_size(self, size: int) -> None:
        """libhdf5's data sieve buffer size; not honoured here (opening or creating a file
        with it set raises NotImplementedError)."""
        self._set("sieve_buf_size", int(size))

    def get_sieve_buf_size(self) -> int:
        """libhdf5's data sieve buffer size."""
        return int(self._get("sieve_buf_size"))

    def set_page_buffer_size(
        self, buf_size: int, min_meta_per: int = 0, min_raw_per: int = 0
    ) -> None:
        """libhdf5's page buffer: its size and the minimum shares (percent) kept for
        metadata and raw data; not honoured here (opening or creating a file with it set
        raises NotImplementedError)."""
        self._set("page_buffer_size", (int(buf_size), int(min_meta_per), int(min_raw_per)))

    def get_page_buffer_size(self) -> tuple[int, int, int]:
        """``(buf_size, min_meta_per, min_raw_per)``."""
        return tuple(self._get("page_buffer_size"))  # type: ignore[return-value]

    def set_file_locking(self, use_file_locking: bool, ignore_when_disabled: bool) -> None:
        """Whether to lock the file, and whether to go on where the file system does not
        support locks."""
        self._set("file_locking", (bool(use_file_locking), bool(ignore_when_disabled)))

    def get_file_locking(self) -> tuple[bool, bool]:
        """``(use_file_locking, ignore_when_disabled)``."""
        return tuple(self._get("file_locking"))  # type: ignore[return-value]


class PropOCPYID(PropCopyID):
    """Object copy."""

    _class_name = "OBJECT_COPY"
    _defaults = {"copy_object": 0}

    def set_copy_object(self, flags: int) -> None:
        """How ``h5o.copy`` copies (``h5o.COPY_*_FLAG`` bits)."""
        self._set("copy_object", int(flags))

    def get_copy_object(self) -> int:
        """The ``h5o.COPY_*_FLAG`` bits ``h5o.copy`` copies with."""
        return int(self._get("copy_object"))


_FACTORIES: dict[str, type[PropID]] = {
    "OBJECT_CREATE": PropOCID,
    "GROUP_CREATE": PropGCID,
    "FILE_CREATE": PropFCID,
    "DATATYPE_CREATE": PropTCID,
    "DATASET_CREATE": PropDCID,
    "DATASET_ACCESS": PropDAID,
    "DATASET_XFER": PropDXID,
    "LINK_CREATE": PropLCID,
    "LINK_ACCESS": PropLAID,
    "FILE_ACCESS": PropFAID,
    "OBJECT_COPY": PropOCPYID,
}
_CLASSES = {name: PropClassID(name, factory) for name, factory in _FACTORIES.items()}

OBJECT_CREATE = _CLASSES["OBJECT_CREATE"]
GROUP_CREATE = _CLASSES["GROUP_CREATE"]
FILE_CREATE = _CLASSES["FILE_CREATE"]
DATATYPE_CREATE = _CLASSES["DATATYPE_CREATE"]
DATASET_CREATE = _CLASSES["DATASET_CREATE"]
DATASET_ACCESS = _CLASSES["DATASET_ACCESS"]
DATASET_XFER = _CLASSES["DATASET_XFER"]
LINK_CREATE = _CLASSES["LINK_CREATE"]
LINK_ACCESS = _CLASSES["LINK_ACCESS"]
FILE_ACCESS = _CLASSES["FILE_ACCESS"]
OBJECT_COPY = _CLASSES["OBJECT_COPY"]


def create(cls: PropClassID) -> PropID:
    """A new property list of class ``cls``, holding libhdf5's defaults."""
    if not isinstance(cls, PropClassID):
        raise TypeError(f"{cls!r} is not a property list class")
    return cls._factory()
