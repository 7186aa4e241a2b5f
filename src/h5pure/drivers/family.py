"""The family driver: one address space split across member files of ``memb_size`` bytes.

``name`` holds one printf-style integer conversion (``"data-%d.h5"``); member ``i`` holds
addresses ``[i * memb_size, (i + 1) * memb_size)``.  As libhdf5's ``H5FDfamily.c`` does, the
file's size is that of the last non-empty member plus ``memb_size`` per member before it,
bytes a member does not physically hold read as zeros, and the member size is recorded in
the superblock's driver information ("NCSAfami": the member size as a little-endian u64)
and must match the one the file is opened with.
"""

from __future__ import annotations

import os
import threading

from .base import Driver, register_driver
from .locking import LockPolicy, unlock_fd
from .options import c_unsigned
from .sec2 import close_locked, open_locked, pread_exact, pwrite_all

DEFAULT_MEMBER_SIZE = 2**31 - 1
"""h5py's default ``memb_size`` (libhdf5's ``H5FD_FAM_DEF_MEM_SIZE`` is 100 MiB, but
h5py's ``set_fapl_family`` passes 2**31 - 1)."""

DRIVER_ID = "NCSAfami"


def member_name(template: str, index: int) -> str:
    try:
        return template % index
    except (TypeError, ValueError):
        raise ValueError(
            f"family driver: file name {template!r} needs one integer conversion such as %d"
        ) from None


@register_driver("family")
class FamilyDriver(Driver):
    """Member files named by ``path % i``, each ``memb_size`` bytes (the last may be shorter)."""

    options = ("memb_size",)

    def __init__(
        self,
        path: str,
        mode: str,
        memb_size: int = DEFAULT_MEMBER_SIZE,
        locking: LockPolicy | None = None,
    ) -> None:
        super().__init__(writable=mode != "r")
        memb_size = c_unsigned(memb_size, "hsize_t")  # as h5py's set_fapl_family
        if memb_size == 0 and mode in ("w", "x"):
            raise OSError("Unable to synchronously create file (zero format address range)")
        member_name(path, 0)
        self.path = path
        self.mode = mode
        self.memb_size = memb_size
        self._locking = locking
        self._grow = threading.Lock()
        self.fds: list[int] = []
        self._made_from = 1 << 62
        """The first member this driver created (members from there on did not exist)."""
        try:
            # member 0 is opened (or created) in the file's mode; the members after it
            # exist already or are made as writes reach them
            self.fds.append(open_locked(member_name(path, 0), mode, locking))
            later = "r" if mode == "r" else ("w" if mode in ("w", "x") else "r+")
            index = 1
            while os.path.exists(member_name(path, index)):
                self.fds.append(open_locked(member_name(path, index), later, locking))
                index += 1
        except BaseException:
            for fd in self.fds:
                close_locked(fd)
            raise
        self.requested_memb_size = memb_size
        """The member size asked for; :attr:`memb_size` is the one addresses use."""
        first = os.fstat(self.fds[0]).st_size
        if mode in ("r", "r+") and first > memb_size:
            # as libhdf5's H5FD__family_open: an existing first member larger than the size
            # asked for gives the member size (so the superblock can be read, and the size
            # checked against the one it records: 0 asks for the recorded size)
            self.memb_size = first

    @classmethod
    def exists(cls, path: str) -> bool:
        return os.path.exists(member_name(path, 0))

    # -- addresses -----------------------------------------------------------------------
    def _spans(self, offset: int, size: int) -> list[tuple[int, int, int, int]]:
        """``(member, offset in member, size, offset in the request)`` pieces."""
        out = []
        pos = 0
        while pos < size:
            member, inner = divmod(offset + pos, self.memb_size)
            n = min(size - pos, self.memb_size - inner)
            out.append((member, inner, n, pos))
            pos += n
        return out

    def _member_fd(self, member: int) -> int:
        with self._grow:
            while len(self.fds) <= member:
                name = member_name(self.path, len(self.fds))
                self._made_from = min(self._made_from, len(self.fds))
                self.fds.append(open_locked(name, "w", self._locking))
            return self.fds[member]

    # -- the Driver interface -----------------------------------------------------------
    def size(self) -> int:
        for index in range(len(self.fds) - 1, 0, -1):
            end = os.fstat(self.fds[index]).st_size
            if end > 0:
                return index * self.memb_size + end
        return os.fstat(self.fds[0]).st_size if self.fds else 0

    def read(self, offset: int, size: int) -> bytes:
        if offset + size > self.size():
            raise self._short(offset, size, max(0, self.size() - offset))
        out = bytearray(size)
        for member, inner, n, pos in self._spans(offset, size):
            if member < len(self.fds):
                data = pread_exact(self.fds[member], inner, n)
                out[pos : pos + len(data)] = data  # the rest of a short member reads as 0
        return bytes(out)

    def _write(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        mv = memoryview(data).cast("B")
        for member, inner, n, pos in self._spans(offset, len(mv)):
            pwrite_all(self._member_fd(member), inner, mv[pos : pos + n])

    def truncate(self, size: int) -> None:
        super().truncate(size)
        last, end = divmod(size, self.memb_size)
        if end == 0 and last > 0:
            last, end = last - 1, self.memb_size
        fd = self._member_fd(last)
        os.ftruncate(fd, end)
        # later members are emptied, not removed (libhdf5 leaves the files in place),
        # except those this driver made (a commit journal past the end reached them)
        keep = max(last + 1, self._made_from)
        for later in self.fds[last + 1 : keep]:
            os.ftruncate(later, 0)
        with self._grow:
            while len(self.fds) > keep:
                index = len(self.fds) - 1
                close_locked(self.fds.pop())
                os.unlink(member_name(self.path, index))

    def unlock(self) -> None:
        for fd in self.fds:
            unlock_fd(fd)

    def sync(self) -> None:
        if self.writable and not self.closed:
            for fd in self.fds:
                os.fsync(fd)

    def close(self) -> None:
        if not self.closed:
            for fd in self.fds:
                close_locked(fd)
            self.fds = []
        super().close()

    # -- driver information ("NCSAfami") -------------------------------------------------
    def driver_info(self) -> tuple[str, bytes] | None:
        return DRIVER_ID, self.memb_size.to_bytes(8, "little")

    def accept_driver_info(self, driver_id: str, info: bytes) -> None:
        if driver_id != DRIVER_ID:
            super().accept_driver_info(driver_id, info)
            return
        stored = int.from_bytes(info[:8], "little")
        wanted = self.requested_memb_size
        if wanted != 0 and stored != wanted:
            raise OSError(
                f"Unable to synchronously open file (Family member size should be {stored}.  "
                f"But the size from file access property is {wanted})"
            )
        self.memb_size = stored
