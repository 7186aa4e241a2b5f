"""A reusable kit for corruption testing: mutate an HDF5 file image, open the result
through the public API, touch everything, and classify what happened.

The contract being tested (docs/internals.md, "Hostile input rules"): a truncated,
bit-flipped or hostile file either reads (a flip in raw data legitimately changes values)
or raises an h5py-style exception (``OSError`` for file and format problems, ``KeyError``
for missing names, ``ValueError``/``TypeError``/``RuntimeError`` where h5py raises those)
whose message says what is wrong.  It never hangs, never allocates memory the file cannot
justify, never crashes the interpreter, and never writes to the file.

Pieces:

- mutations: :func:`truncate`, :func:`flip_bits`, :func:`random_flips`,
  :func:`overwrite_uint`, :func:`structure_offsets`, :func:`boundary_offsets`,
  :func:`absurd_values`;
- :func:`exercise`: open a file and read every link, attribute, dataset property and
  value, dimension scale and reference, collecting the exceptions raised on the way;
- :func:`run_case`: write a mutated image to a path, exercise it under a time bound,
  check that the file was not modified, and return a :class:`CaseResult`;
- :func:`time_limit` and :func:`memory_limit`: the per-case guards.
"""

from __future__ import annotations

import contextlib
import faulthandler
import linecache
import random
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Signatures of every HDF5 structure that starts with one (spec sections III and IV).
SIGNATURES: tuple[bytes, ...] = (
    b"\x89HDF\r\n\x1a\n",  # superblock
    b"OHDR",  # v2 object header
    b"OCHK",  # v2 object header continuation chunk
    b"TREE",  # v1 B-tree node
    b"HEAP",  # local heap
    b"SNOD",  # symbol table node
    b"GCOL",  # global heap collection
    b"FRHP",  # fractal heap header
    b"FHDB",  # fractal heap direct block
    b"FHIB",  # fractal heap indirect block
    b"BTHD",  # v2 B-tree header
    b"BTIN",  # v2 B-tree internal node
    b"BTLF",  # v2 B-tree leaf node
    b"FAHD",  # fixed array header
    b"FADB",  # fixed array data block
    b"EAHD",  # extensible array header
    b"EAIB",  # extensible array index block
    b"EASB",  # extensible array secondary block
    b"EADB",  # extensible array data block
    b"FSHD",  # free-space manager header
    b"FSSE",  # free-space section list
    b"SMTB",  # shared object header message table
    b"SMLI",  # shared object header message list
)

#: Exception classes a corrupt file may raise (h5py raises these for file problems).
CLEAN_EXCEPTIONS: tuple[type[BaseException], ...] = (
    OSError,
    KeyError,
    ValueError,
    TypeError,
    RuntimeError,
)

#: The exception types a format problem is reported with.
FormatErrorTypes: tuple[type[BaseException], ...] = (OSError,)

#: Builtin subclasses of the clean classes that only ever signal a bug, never a
#: deliberate report (``UnicodeDecodeError`` is a ValueError, ``RecursionError`` a
#: RuntimeError, ``IndexError`` a LookupError but not a KeyError).
UNCLEAN_SUBCLASSES: tuple[type[BaseException], ...] = (
    UnicodeError,
    RecursionError,
    NotImplementedError,
)

_MAX_REFERENCES_PER_DATASET = 32
_MAX_EXERCISED_OBJECTS = 2000


# -- mutations ---------------------------------------------------------------------------
def truncate(data: bytes, length: int) -> bytes:
    """The first ``length`` bytes of the image."""
    return bytes(data[: max(0, length)])


def flip_bits(data: bytes, bits: Iterable[int]) -> bytes:
    """The image with each listed bit (``byte * 8 + bit``) inverted."""
    out = bytearray(data)
    for b in bits:
        out[b >> 3] ^= 1 << (b & 7)
    return bytes(out)


def random_flips(data: bytes, rng: random.Random, nbits: int = 1) -> tuple[bytes, list[int]]:
    """Flip ``nbits`` bits chosen by ``rng`` (deterministic for a seeded rng)."""
    bits = [rng.randrange(len(data) * 8) for _ in range(nbits)]
    return flip_bits(data, bits), bits


def overwrite_uint(data: bytes, offset: int, value: int, width: int) -> bytes:
    """The image with a little-endian unsigned field of ``width`` bytes replaced
    (``value`` is truncated to the width)."""
    out = bytearray(data)
    value &= (1 << (8 * width)) - 1
    out[offset : offset + width] = value.to_bytes(width, "little")
    return bytes(out[: len(data)])


def absurd_values(width: int) -> list[int]:
    """Field values that stress a decoder: zero, one, the largest values, a sign bit,
    and values that overflow when multiplied by small element sizes."""
    top = (1 << (8 * width)) - 1
    vals = {0, 1, top, top - 1, 1 << (8 * width - 1), top >> 1, top // 3, 0x7F, 0xFF}
    if width >= 4:
        vals |= {0x7FFFFFFF, 0x10000000, 1 << 30}
    if width >= 8:
        vals |= {1 << 62, 1 << 40, (1 << 63) + 1}
    return sorted(v for v in vals if v <= top)


def structure_offsets(data: bytes, signatures: Iterable[bytes] = SIGNATURES) -> list[int]:
    """Offsets of every signature found in the image (a few may be raw data that
    happens to match; they are still good places to cut)."""
    found: set[int] = set()
    for sig in signatures:
        start = data.find(sig)
        while start >= 0:
            found.add(start)
            start = data.find(sig, start + 1)
    return sorted(found)


def boundary_offsets(data: bytes, stride: int = 8, head: int = 2048) -> list[int]:
    """Cut points: every structure start, ±1 and a few bytes into it, plus every
    ``stride``-th byte of the first ``head`` bytes, and the very end minus one."""
    cuts: set[int] = set()
    for off in structure_offsets(data):
        for d in (-1, 0, 1, 4, 5, 8, 12, 16):
            cuts.add(off + d)
    cuts.update(range(0, min(head, len(data)), stride))
    cuts.add(len(data) - 1)
    return sorted(c for c in cuts if 0 <= c < len(data))


@dataclass(frozen=True)
class Field:
    """A place in an image to overwrite: ``width`` little-endian bytes at ``offset``."""

    offset: int
    width: int
    what: str


def structure_fields(data: bytes, span: int = 48) -> list[Field]:
    """Every byte position of the first ``span`` bytes after each structure signature,
    as candidate fields (counts, sizes, addresses and versions all live there)."""
    out = []
    for off in structure_offsets(data):
        for pos in range(off + 4, min(off + span, len(data))):
            out.append(Field(pos, 1, f"structure at 0x{off:x} +{pos - off}"))
    return out


#: Structures whose checksum follows a small fixed-size head: the head's extent is found
#: by trying lengths (see :func:`checksummed_blocks`).
FIXED_HEAD_SIGNATURES: tuple[bytes, ...] = (
    b"\x89HDF\r\n\x1a\n",
    b"BTHD",
    b"FRHP",
    b"FAHD",
    b"EAHD",
    b"FSHD",
)


def checksummed_blocks(data: bytes, max_head: int = 200) -> list[tuple[int, int]]:
    """``(start, end)`` of every checksummed block found: the lookup3 checksum of
    ``data[start:end]`` is stored at ``data[end:end + 4]``.  Object header chunks (v2)
    come from decoding every ``OHDR`` found; fixed-size heads by trying each length up
    to ``max_head``.  Mutating inside a block and then :func:`refresh_checksums` reaches
    the decoder behind the checksum."""
    from ..errors import FormatError
    from ..format.checksum import lookup3
    from ..format.object_header import read_object_header
    from ..format.superblock import decode_superblock, locate_superblock
    from .sources import BytesSource

    blocks: set[tuple[int, int]] = set()
    for start in structure_offsets(data, FIXED_HEAD_SIGNATURES):
        for end in range(start + 8, min(start + max_head, len(data) - 4)):
            if lookup3(data[start:end]) == int.from_bytes(data[end : end + 4], "little"):
                blocks.add((start, end))
                break
    try:
        sb_at = locate_superblock(lambda a, n: data[a : a + n], len(data))
        ctx = decode_superblock(data[sb_at : sb_at + 4096], sb_at).context()
    except FormatError:
        return sorted(blocks)
    source = BytesSource(data, ctx.base_address)
    for off in structure_offsets(data, (b"OHDR",)):
        try:
            header = read_object_header(source, ctx, off - ctx.base_address)
        except FormatError:
            continue
        for chunk in header.chunks:
            start = chunk.address + ctx.base_address
            blocks.add((start, start + chunk.size - 4))
    return sorted(blocks)


def refresh_checksums(data: bytes, blocks: Iterable[tuple[int, int]], touched: int) -> bytes:
    """Recompute the stored checksum of every block that contains byte ``touched``."""
    from ..format.checksum import lookup3

    out = bytearray(data)
    for start, end in blocks:
        if start <= touched < end and end + 4 <= len(out):
            out[end : end + 4] = lookup3(bytes(out[start:end])).to_bytes(4, "little")
    return bytes(out)


def message_fields(path: str) -> list[Field]:
    """The fields of every object header message of the file at ``path`` that hold a
    count, size or address: each message's size field, the dataspace dimensions, the
    datatype size, and every 4- and 8-byte aligned word of the first 48 bytes of each
    message body (layout addresses and chunk dimensions, heap addresses...)."""
    from .. import File

    fields: list[Field] = []
    with File(path, "r") as f:
        fs = f._state
        base = fs.ctx.base_address
        lengths = fs.ctx.size_of_lengths
        addresses = {fs.root_address}
        f.visititems(lambda name, obj: addresses.add(obj.id.address))
        for addr in sorted(addresses):
            header = fs.object_header(addr)
            for m in header.messages:
                body = m.address + base
                where = f"message type {m.type} at 0x{m.address:x}"
                if header.version == 1:
                    fields.append(Field(body - 6, 2, f"{where}: size"))
                else:
                    fields.append(
                        Field(
                            body - (5 if m.creation_order is not None else 3), 2, f"{where}: size"
                        )
                    )
                if m.type == 0x01 and len(m.data) >= 2:  # dataspace
                    head = 8 if m.data[0] == 1 else 4
                    for i in range(m.data[1]):
                        fields.append(
                            Field(body + head + i * lengths, lengths, f"{where}: dim {i}")
                        )
                elif m.type == 0x03:  # datatype
                    fields.append(Field(body + 4, 4, f"{where}: datatype size"))
                for pos in range(0, min(len(m.data), 48), 4):
                    fields.append(Field(body + pos, 4, f"{where}: +{pos}"))
                    if pos % 8 == 0:
                        fields.append(Field(body + pos, 8, f"{where}: +{pos} (8 bytes)"))
    return fields


# -- guards ------------------------------------------------------------------------------
class CaseTimeout(BaseException):
    """Raised into the exercised code when a case runs past its time bound.

    A ``BaseException`` so that no ``except Exception`` in the code under test eats it."""


@contextlib.contextmanager
def time_limit(seconds: float, hard_seconds: float | None = None) -> Iterator[None]:
    """Raise :class:`CaseTimeout` after ``seconds`` (an interval timer; main thread only)
    and, as a last resort against a hang inside C code, dump every thread's traceback and
    kill the process after ``hard_seconds`` (default ``4 * seconds + 5``)."""
    hard = hard_seconds if hard_seconds is not None else 4 * seconds + 5
    faulthandler.dump_traceback_later(hard, exit=True)
    use_signal = threading.current_thread() is threading.main_thread() and hasattr(
        signal, "setitimer"
    )
    previous: Any = None
    if use_signal:

        def on_alarm(signum: int, frame: Any) -> None:
            raise CaseTimeout(f"case took more than {seconds} s")

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if use_signal:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        faulthandler.cancel_dump_traceback_later()


def _vm_size() -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


@contextlib.contextmanager
def memory_limit(headroom: int) -> Iterator[bool]:
    """Cap this process's address space at its current size plus ``headroom`` bytes, so
    an allocation the file cannot justify fails with ``MemoryError`` (which the case then
    reports as unclean) instead of swapping.  Yields whether the cap is in force (Linux
    only; a no-op elsewhere).  The limit is process-wide: use it in a pytest-xdist worker
    or around code that runs alone."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        yield False
        return
    current = _vm_size()
    if current is None:
        yield False
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = current + headroom
    if hard != resource.RLIM_INFINITY and cap > hard:
        cap = hard
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield True
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# -- exercising --------------------------------------------------------------------------
@dataclass
class Problem:
    """One exception raised while exercising a file."""

    where: str
    exception: BaseException

    @property
    def tail(self) -> str:
        """The last frames of the traceback, for reports (formatted on demand: it is
        costly, and most problems are clean and never printed)."""
        e = self.exception
        return "".join(traceback.format_exception(type(e), e, e.__traceback__)[-4:])

    @property
    def clean(self) -> bool:
        return is_clean(self.exception)

    def __str__(self) -> str:
        return f"{self.where}: {type(self.exception).__name__}: {self.exception}\n{self.tail}"


@dataclass
class Report:
    """What happened while exercising one file."""

    problems: list[Problem] = field(default_factory=list)
    objects: int = 0
    """Objects (groups, datasets, datatypes) opened."""
    values: int = 0
    """Dataset and attribute values read."""

    @property
    def unclean(self) -> list[Problem]:
        return [p for p in self.problems if not p.clean]


def is_clean(exc: BaseException) -> bool:
    """An acceptable outcome for a corrupt file: one of :data:`CLEAN_EXCEPTIONS` with a
    message, and not a builtin subclass that only signals a bug."""
    if not isinstance(exc, CLEAN_EXCEPTIONS) or isinstance(exc, UNCLEAN_SUBCLASSES):
        return False
    if type(exc) in (KeyError, ValueError, TypeError) and _raised_by_library(exc):
        return False
    return bool(str(exc).strip())


def _raised_by_library(exc: BaseException) -> bool:
    """A bare KeyError/ValueError/TypeError that was not raised by a ``raise`` statement of
    h5pure: it came from numpy or the standard library (``np.reshape``, ``dict[...]``,
    ``int.from_bytes``), or from an h5pure expression that failed by accident."""
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return False
    code = last.tb_frame.f_code
    if "h5pure" not in code.co_filename:
        return True
    line = linecache.getline(code.co_filename, last.tb_lineno).strip()
    return not line.startswith("raise")


class _Exerciser:
    def __init__(self, report: Report, max_read_bytes: int) -> None:
        self.report = report
        self.max_read_bytes = max_read_bytes
        self.seen: set[Any] = set()

    def attempt(self, where: str, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn``; record (and swallow) any Exception.  BaseExceptions such as
        :class:`CaseTimeout` and KeyboardInterrupt propagate."""
        try:
            return fn(*args)
        except Exception as e:  # noqa: BLE001 - classifying every outcome is the point
            self.report.problems.append(Problem(where, e))
            return None

    # -- objects ---------------------------------------------------------------------
    def group(self, grp: Any, path: str) -> None:
        names = self.attempt(f"{path}: list links", lambda: list(grp.keys()))
        self.attempt(f"{path}: len", lambda: len(grp))
        for name in names or []:
            if self.report.objects >= _MAX_EXERCISED_OBJECTS:
                return
            child = f"{path.rstrip('/')}/{name}"
            self.attempt(f"{child}: link", grp.get, name, None, False, True)
            self.attempt(f"{child}: contains", grp.__contains__, name)
            obj = self.attempt(f"{child}: open", grp.__getitem__, name)
            if obj is not None:
                self.object(obj, child)

    def object(self, obj: Any, path: str) -> None:
        from .. import Dataset, Datatype, Group

        key = (id(obj.file), obj.id.address) if hasattr(obj, "id") else None
        if key in self.seen:
            return
        self.seen.add(key)
        self.report.objects += 1
        self.attempt(f"{path}: name", lambda: obj.name)
        self.attributes(obj, path)
        if isinstance(obj, Group):
            self.group(obj, path)
        elif isinstance(obj, Dataset):
            self.dataset(obj, path)
        elif isinstance(obj, Datatype):
            self.attempt(f"{path}: dtype", lambda: obj.dtype)

    def attributes(self, obj: Any, path: str) -> None:
        attrs = obj.attrs
        names = self.attempt(f"{path}: attribute names", lambda: list(attrs))
        for name in names or []:
            value = self.attempt(f"{path}: attribute {name!r}", attrs.__getitem__, name)
            if value is not None:
                self.report.values += 1
                self.references(obj.file, value, f"{path}: attribute {name!r}")

    def dataset(self, dset: Any, path: str) -> None:
        for prop in (
            "shape",
            "maxshape",
            "dtype",
            "size",
            "nbytes",
            "chunks",
            "compression",
            "compression_opts",
            "shuffle",
            "fletcher32",
            "scaleoffset",
            "external",
            "is_virtual",
            "is_scale",
        ):
            self.attempt(f"{path}: .{prop}", getattr, dset, prop)
        if self.attempt(f"{path}: itemsize", lambda: dset.dtype.itemsize <= self.max_read_bytes):
            self.attempt(f"{path}: .fillvalue", lambda: dset.fillvalue)
        value = self.attempt(f"{path}: read", lambda: self.read_value(dset))
        if value is not None:
            self.report.values += 1
            self.references(dset.file, value, f"{path}: data", dset)
        self.attempt(f"{path}: dims", lambda: self.dims(dset))

    def read_value(self, dset: Any) -> Any:
        """``dset[()]`` when it is small enough; else a one-element corner (a valid file
        may declare a huge, sparse dataset: reading it whole is the user's choice)."""
        if dset.nbytes <= self.max_read_bytes:
            return dset[()]
        if dset.dtype.itemsize > self.max_read_bytes or not dset.shape:
            return None
        return dset[(0,) * dset.ndim]

    def small(self, dset: Any) -> bool:
        try:
            return bool(dset.nbytes <= self.max_read_bytes)
        except Exception:  # noqa: BLE001 - reported when the dataset itself is exercised
            return False

    def dims(self, dset: Any) -> None:
        for dim in dset.dims:
            _ = dim.label
            for scale in dim.values():
                _ = scale.name

    def references(self, file: Any, value: Any, where: str, dset: Any = None) -> None:
        from .. import Reference, RegionReference

        arr = np.asarray(value) if not isinstance(value, (Reference, RegionReference)) else None
        if arr is not None and arr.dtype != object:
            return
        items = [value] if arr is None else list(arr.reshape(-1))
        followed = 0
        for ref in items:
            if followed >= _MAX_REFERENCES_PER_DATASET:
                break
            if isinstance(ref, (Reference, RegionReference)) and ref:
                followed += 1
                target = self.attempt(f"{where}: dereference", file.__getitem__, ref)
                if target is not None:
                    self.object(target, f"{where} -> {target.id.address:#x}")
                    # a region read builds a mask of the whole dataset's shape
                    if isinstance(ref, RegionReference) and self.small(target):
                        self.attempt(f"{where}: region read", target.__getitem__, ref)


def exercise(name: Any, *, max_read_bytes: int = 1 << 24) -> Report:
    """Open ``name`` (a path or file object) read-only through the public API and touch
    everything: walk every link (``visititems_links``, ``visit`` -- names only, headers
    scanned --, ``visititems`` and a walk that carries on past errors), read every attribute, every dataset's properties and value
    (a corner only for datasets over ``max_read_bytes``), the dimension scales, and follow
    every object and region reference.  Exceptions are recorded in the returned
    :class:`Report`, not raised, except BaseExceptions (timeouts, interrupts)."""
    from .. import File

    report = Report()
    ex = _Exerciser(report, max_read_bytes)
    f = ex.attempt("open", lambda: File(name, "r"))
    if f is None:
        return report
    try:
        ex.attempt("visititems_links", lambda: f.visititems_links(lambda n, link: None))
        ex.attempt("visit", lambda: f.visit(lambda n: None))
        ex.attempt("visititems", lambda: f.visititems(lambda n, obj: None))
        ex.object(f, "/")
    finally:
        ex.attempt("close", f.close)
    return report


# -- one case ----------------------------------------------------------------------------
@dataclass
class CaseResult:
    """The outcome of one mutated file."""

    label: str
    report: Report | None
    timed_out: bool = False
    modified: bool = False
    """The file's bytes changed while it was open read-only."""

    @property
    def ok(self) -> bool:
        return (
            not self.timed_out
            and not self.modified
            and self.report is not None
            and not self.report.unclean
        )

    def describe(self) -> str:
        if self.timed_out:
            return f"[{self.label}] timed out"
        if self.modified:
            return f"[{self.label}] the file was modified by a read-only open"
        assert self.report is not None  # ok and timed_out cover the other cases
        first = self.report.unclean[0]
        return f"[{self.label}] {len(self.report.unclean)} unclean exception(s); first: {first}"


def run_case(
    label: str,
    data: bytes,
    path: str,
    *,
    seconds: float = 5.0,
    max_read_bytes: int = 1 << 24,
) -> CaseResult:
    """Write ``data`` to ``path``, exercise it within ``seconds`` and check afterwards that
    the file still holds exactly ``data``."""
    with open(path, "wb") as fh:
        fh.write(data)
    result = CaseResult(label, None)
    try:
        with time_limit(seconds):
            result.report = exercise(path, max_read_bytes=max_read_bytes)
    except CaseTimeout:
        result.timed_out = True
    with open(path, "rb") as fh:
        result.modified = fh.read() != data
    return result


def summarize(results: Iterable[CaseResult], limit: int = 5) -> str:
    """A failure message listing the first ``limit`` bad cases."""
    bad = [r for r in results if not r.ok]
    lines = [f"{len(bad)} bad case(s):"]
    lines += [r.describe() for r in bad[:limit]]
    return "\n\n".join(lines)


def _main(argv: list[str] | None = None) -> int:  # pragma: no cover - manual debugging aid
    """``python -m h5pure.testing.corrupt FILE``: exercise one file and print problems."""
    args = sys.argv[1:] if argv is None else argv
    for p in args:
        rep = exercise(p)
        print(f"{p}: {rep.objects} objects, {rep.values} values, {len(rep.problems)} problems")
        for prob in rep.problems:
            print(("UNCLEAN " if not prob.clean else "clean ") + str(prob))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
