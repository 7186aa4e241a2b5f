"""Running a chunk through a filter pipeline, in both directions.

The pipeline message lists filters in write order.  Reading applies them in reverse,
skipping every filter whose bit is set in the chunk's filter mask (bit ``i`` = the ``i``-th
filter of the pipeline was not applied to this chunk).  Writing applies them forward; an
*optional* filter (flags bit 0) that fails is skipped and its mask bit set, as
``H5Z_pipeline`` does.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import FilterError, FormatError
from ..format.messages.filter_pipeline import FilterPipeline
from .base import ChunkInfo, get_filter

_PLANS: dict[tuple[int, int], tuple[FilterPipeline, list[tuple[int, bool]]]] = {}
"""``(id(pipeline), filter mask)`` -> the pipeline and its decode steps ``(index of the
filter, whether the step's output size is known)``: worked out once, not per chunk."""


def _decode_plan(pipeline: FilterPipeline, filter_mask: int) -> list[tuple[int, bool]]:
    key = (id(pipeline), filter_mask)
    entry = _PLANS.get(key)
    if entry is not None and entry[0] is pipeline:
        return entry[1]
    filters = pipeline.filters
    order = [i for i in reversed(range(len(filters))) if not (filter_mask >> i) & 1]
    steps = []
    for pos, i in enumerate(order):
        # the output size of this step is known when every step still to come keeps sizes
        known = all(get_filter(filters[j].filter_id).size_preserving for j in order[pos + 1 :])
        steps.append((i, known))
    if len(_PLANS) > 256:  # pipelines of closed files: start afresh
        _PLANS.clear()
    _PLANS[key] = (pipeline, steps)
    return steps


_COPIES = frozenset({2})
"""Filters whose decode always returns new memory (shuffle): the step before one of them
may decode into a reused buffer (``ChunkInfo.transient``)."""


def _transient(filters: Any, plan: list[tuple[int, bool]], pos: int) -> bool:
    return pos + 1 < len(plan) and filters[plan[pos + 1][0]].filter_id in _COPIES


def _decode_failed(codec: Any, chunk: ChunkInfo, e: Exception) -> FilterError:
    return FilterError(
        f"filter {codec.name!r} (id {codec.filter_id}) failed to decode {chunk.where()}: {e}"
    )


def decode_chunk(
    data: bytes | bytearray | memoryview,
    pipeline: FilterPipeline,
    filter_mask: int,
    chunk: ChunkInfo,
) -> bytes | memoryview:
    """Unfilter one stored chunk; returns the raw element bytes (``bytes``, or a read-only
    byte ``memoryview`` a codec filled, handed on without a copy).

    ``data`` may be any flat buffer (a ``bytearray`` the chunk was read into): it is
    copied only for a filter that wants ``bytes``."""
    out = decode_chunk_into(data, pipeline, filter_mask, chunk, None)
    assert out is not None  # (nothing to write into)
    return out


def decode_chunk_into(
    data: bytes | bytearray | memoryview,
    pipeline: FilterPipeline,
    filter_mask: int,
    chunk: ChunkInfo,
    into: memoryview | None,
) -> bytes | memoryview | None:
    """:func:`decode_chunk`, the last step writing into ``into`` (a writable byte view of
    the chunk's decoded size) when its filter can (:meth:`Filter.decode_into`): None is
    returned then, else the decoded bytes as :func:`decode_chunk` gives them."""
    out: Any = data
    filters = pipeline.filters
    plan = _decode_plan(pipeline, filter_mask)
    for pos, (i, known) in enumerate(plan):
        info = filters[i]
        codec = get_filter(info.filter_id)
        codec.ensure_available()
        if not (codec.accepts_buffers or isinstance(out, bytes)):
            out = bytes(out)
        step = chunk._replace(
            out_size=chunk.nbytes if known and chunk.chunk_shape else None,
            transient=_transient(filters, plan, pos),
        )
        try:
            if into is not None and pos == len(plan) - 1 and codec.decode_into(out, info, step, into):
                return None
            out = codec.decode(out, info, step)
        except (FormatError, FilterError):  # checksums, corrupt streams keep their type
            raise
        except Exception as e:  # codec libraries raise their own types
            raise _decode_failed(codec, chunk, e) from e
    if isinstance(out, bytes) or (
        isinstance(out, memoryview) and out.readonly and out.format == "B" and out.ndim == 1
    ):
        return out
    if isinstance(out, bytearray):  # a codec's fresh output: read-only, not copied
        return memoryview(out).toreadonly()
    return bytes(out)


def decode_chunks(
    raws: list[Any],
    addresses: list[int],
    pipeline: FilterPipeline,
    filter_mask: int,
    element_size: int,
    chunk_shape: tuple[int, ...],
) -> list[Any]:
    """:func:`decode_chunk` for many chunks of one pipeline and filter mask (stored bytes
    ``raws`` at ``addresses``): the plan and the codecs looked up once, not per chunk."""
    filters = pipeline.filters
    nbytes = element_size * math.prod(chunk_shape)
    datas = raws
    plan = _decode_plan(pipeline, filter_mask)
    for pos, (i, known) in enumerate(plan):
        codec = get_filter(filters[i].filter_id)
        codec.ensure_available()
        info = filters[i]
        size = nbytes if known and chunk_shape else None
        if not codec.accepts_buffers:
            datas = [d if isinstance(d, bytes) else bytes(d) for d in datas]
        many = ChunkInfo(element_size, chunk_shape, None, size, _transient(filters, plan, pos))
        try:
            datas = codec.decode_many(datas, info, many)
            continue
        except Exception:  # which chunk, and its error: one by one
            pass
        for k, (data, address) in enumerate(zip(datas, addresses)):
            chunk = ChunkInfo(element_size, chunk_shape, address, size)
            try:
                datas[k] = codec.decode(data, info, chunk)
            except (FormatError, FilterError):
                raise
            except Exception as e:  # codec libraries raise their own types
                raise _decode_failed(codec, chunk, e) from e
    return datas


def encode_chunk(
    data: bytes | bytearray | memoryview, pipeline: FilterPipeline, chunk: ChunkInfo
) -> tuple[bytes, int]:
    """Filter one chunk for storage; returns ``(stored bytes, filter mask)``.

    ``data`` may be a view of the caller's memory (``memoryview(array).cast("B")``): it is
    read, never modified, and copied only for a filter that wants ``bytes``."""
    out: Any = data
    mask = 0
    for i, info in enumerate(pipeline.filters):
        try:
            codec = get_filter(info.filter_id)
            codec.ensure_available()
            if not (codec.accepts_buffers or isinstance(out, bytes)):
                out = bytes(out)
            out = codec.encode(out, info, chunk)
        except Exception as e:
            if info.optional:
                mask |= 1 << i
                continue
            if isinstance(e, FilterError):
                raise
            raise FilterError(
                f"filter id {info.filter_id} failed to encode {chunk.where()}: {e}"
            ) from e
    return bytes(out), mask
