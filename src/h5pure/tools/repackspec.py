"""``h5repack``'s filter and layout requests (``-f [objs:]FILTER``, ``-l [objs:]LAYOUT``),
parsed into records, and turned into the h5py keywords h5pure's writer takes.

h5pure writes the filters h5py's keywords can ask for, in h5py's order: scale-offset,
shuffle, one compressor (gzip, szip, lzf, nbit or any registered filter id), Fletcher-32.
A request outside that (two compressors, another order) is refused by name, never
quietly changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

FILTER_NAMES = ("GZIP", "SZIP", "SHUF", "FLET", "NBIT", "SOFF", "LZF", "UD", "NONE")
_ORDER = {"SOFF": 0, "SHUF": 1, "GZIP": 2, "SZIP": 2, "LZF": 2, "NBIT": 2, "UD": 2, "FLET": 3}
_NBIT_ID = 5


@dataclass(frozen=True)
class FilterRef:
    """A filter by id and client data, as h5py's ``filters.FilterRefBase`` (what
    ``compression=`` takes for a filter h5py has no keyword for: a bare number would
    be read as a gzip level)."""

    filter_id: int
    filter_options: tuple[int, ...] = ()


class SpecError(ValueError):
    """A request ``h5repack`` would not parse, or one h5pure cannot carry out."""


@dataclass(frozen=True)
class FilterRequest:
    """One ``-f``: a filter for some objects (all when ``objects`` is empty)."""

    name: str
    """One of :data:`FILTER_NAMES`."""
    params: tuple[int | str, ...] = ()
    objects: tuple[str, ...] = ()
    flag: int | None = None
    """``UD``'s filter flag (0 mandatory, 1 optional)."""

    def __str__(self) -> str:
        text = self.name
        if self.params:
            text += "=" + ",".join(str(p) for p in self.params)
        return text


@dataclass(frozen=True)
class LayoutRequest:
    """One ``-l``: a storage layout for some objects (all when ``objects`` is empty)."""

    kind: str
    """``CHUNK``, ``CONTI`` or ``COMPA``."""
    chunks: tuple[int, ...] | None = None
    objects: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.kind == "CHUNK" and self.chunks:
            return "CHUNK=" + "x".join(str(c) for c in self.chunks)
        return self.kind


def _split_objects(text: str) -> tuple[tuple[str, ...], str]:
    """``"a,b:GZIP=1"`` -> (("/a", "/b"), "GZIP=1")."""
    if ":" in text:
        objs, _, rest = text.rpartition(":")
        names = tuple(_abs(o.strip()) for o in objs.split(",") if o.strip())
        return names, rest
    return (), text


def _abs(name: str) -> str:
    return name if name.startswith("/") else "/" + name


def _ints(text: str, what: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v.strip() != ""]
    except ValueError:
        raise SpecError(f"invalid {what} parameters {text!r}") from None


def parse_filter(text: str) -> FilterRequest:
    """Parse one ``-f`` argument as ``h5repack`` does."""
    objects, spec = _split_objects(text.strip())
    name, _, params = spec.partition("=")
    name = name.strip().upper()
    if name not in FILTER_NAMES:
        raise SpecError(f"invalid filter type {name!r} in {text!r}")
    if name == "GZIP":
        level = _ints(params, "GZIP")
        if len(level) != 1 or not 1 <= level[0] <= 9:
            raise SpecError(f"GZIP needs a level 1-9 (GZIP=n), got {text!r}")
        return FilterRequest(name, (level[0],), objects)
    if name == "SZIP":
        parts = [p.strip() for p in params.split(",")]
        if len(parts) != 2 or parts[1].upper() not in ("NN", "EC") or not parts[0].isdigit():
            raise SpecError(f"SZIP needs pixels per block and NN or EC (SZIP=8,NN), got {text!r}")
        ppb = int(parts[0])
        if ppb % 2 or not 2 <= ppb <= 32:
            raise SpecError(f"SZIP pixels per block must be even, 2-32: {text!r}")
        return FilterRequest(name, (ppb, parts[1].upper()), objects)
    if name == "SOFF":
        parts = [p.strip() for p in params.split(",")]
        if len(parts) != 2 or parts[1].upper() not in ("IN", "DS"):
            raise SpecError(f"SOFF needs a scale factor and IN or DS (SOFF=N,IN), got {text!r}")
        try:
            factor = int(parts[0])
        except ValueError:
            raise SpecError(f"invalid SOFF scale factor in {text!r}") from None
        return FilterRequest(name, (factor, parts[1].upper()), objects)
    if name == "UD":
        values = _ints(params, "UD")
        if len(values) < 3 or values[2] != len(values) - 3:
            raise SpecError(f"UD needs id,flag,count,values... (UD=307,0,1,9), got {text!r}")
        return FilterRequest(name, (values[0], *values[3:]), objects, flag=values[1])
    if params:
        raise SpecError(f"{name} takes no parameters: {text!r}")
    return FilterRequest(name, (), objects)


def parse_layout(text: str) -> LayoutRequest:
    """Parse one ``-l`` argument as ``h5repack`` does."""
    objects, spec = _split_objects(text.strip())
    kind, _, params = spec.partition("=")
    kind = kind.strip().upper()
    if kind == "CHUNK":
        if params.strip().upper() == "NONE":
            return LayoutRequest("CONTI", None, objects)
        dims = re.split(r"[xX]", params.strip())
        try:
            chunks = tuple(int(d) for d in dims)
        except ValueError:
            raise SpecError(f"invalid chunk dimensions in {text!r}") from None
        if not chunks or any(c <= 0 for c in chunks):
            raise SpecError(f"chunk dimensions must be positive: {text!r}")
        return LayoutRequest("CHUNK", chunks, objects)
    if kind in ("CONTI", "COMPA"):
        if params:
            raise SpecError(f"{kind} takes no parameters: {text!r}")
        return LayoutRequest(kind, None, objects)
    raise SpecError(f"invalid layout {kind!r} in {text!r} (CHUNK=AxB, CONTI or COMPA)")


def for_object(requests: list[Any], path: str) -> list[Any] | None:
    """The requests that apply to ``path``: its own (in order) if any name it, else the
    ones for all objects; None when there are none."""
    own = [r for r in requests if path in r.objects]
    if own:
        return own
    common = [r for r in requests if not r.objects]
    return common or None


def filter_keywords(requests: list[FilterRequest], dtype: Any) -> dict[str, Any]:
    """h5py's ``create_dataset`` filter keywords for ``requests`` (in pipeline order).

    Raises :class:`SpecError` naming what h5pure's writer cannot do."""
    kw: dict[str, Any] = {
        "compression": None,
        "compression_opts": None,
        "shuffle": False,
        "fletcher32": False,
        "scaleoffset": None,
    }
    names = [r.name for r in requests]
    if "NONE" in names:
        if len(names) > 1:
            raise SpecError("NONE cannot be combined with other filters")
        return kw
    ranks = [_ORDER[n] for n in names]
    if ranks != sorted(ranks) or len(set(names)) != len(names):
        raise SpecError(
            "h5pure writes filters in h5py's order (SOFF, SHUF, one compressor, FLET); "
            f"cannot write {','.join(str(r) for r in requests)}"
        )
    if sum(1 for r in ranks if r == 2) > 1:
        raise SpecError(
            f"h5pure writes one compressor per dataset; cannot write "
            f"{','.join(str(r) for r in requests)}"
        )
    for r in requests:
        if r.name == "GZIP":
            kw["compression"], kw["compression_opts"] = "gzip", int(r.params[0])
        elif r.name == "SZIP":
            kw["compression"] = "szip"
            kw["compression_opts"] = (str(r.params[1]).lower(), int(r.params[0]))
        elif r.name == "LZF":
            kw["compression"] = "lzf"
        elif r.name == "NBIT":
            kw["compression"] = FilterRef(_NBIT_ID)
        elif r.name == "UD":
            kw["compression"] = FilterRef(int(r.params[0]), tuple(int(v) for v in r.params[1:]))
        elif r.name == "SHUF":
            kw["shuffle"] = True
        elif r.name == "FLET":
            kw["fletcher32"] = True
        elif r.name == "SOFF":
            factor, kind = int(r.params[0]), str(r.params[1])
            is_int = getattr(dtype, "kind", "") in "iu"
            if (kind == "IN") != is_int:
                raise SpecError(
                    f"SOFF={factor},{kind} does not suit a {getattr(dtype, 'name', dtype)} "
                    "dataset (IN for integers, DS for floats)"
                )
            kw["scaleoffset"] = factor
    return kw


def pipeline_keywords(filters: Any) -> dict[str, Any]:
    """h5py's keywords recreating a stored pipeline (``inspect.storage(d).filters``).

    Raises :class:`SpecError` when h5py's keywords cannot express it (another order,
    two compressors)."""
    requests: list[FilterRequest] = []
    for f in filters:
        fid = int(f.filter_id)
        cd = tuple(int(v) for v in f.client_data)
        if fid == 1:
            requests.append(FilterRequest("GZIP", (cd[0] if cd else 6,)))
        elif fid == 2:
            requests.append(FilterRequest("SHUF"))
        elif fid == 3:
            requests.append(FilterRequest("FLET"))
        elif fid == 4:
            mask = cd[0] if cd else 0
            requests.append(
                FilterRequest("SZIP", (cd[1] if len(cd) > 1 else 8, "NN" if mask & 32 else "EC"))
            )
        elif fid == 6:
            kind = "IN" if cd and cd[0] == 2 else "DS"
            requests.append(FilterRequest("SOFF", (cd[1] if len(cd) > 1 else 0, kind)))
        elif fid == 32000:
            requests.append(FilterRequest("LZF"))
        elif fid == _NBIT_ID:
            requests.append(FilterRequest("NBIT"))
        else:
            requests.append(FilterRequest("UD", (fid, *cd), flag=1 if f.optional else 0))
    return {"requests": requests}
