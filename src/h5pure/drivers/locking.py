"""File locking as libhdf5 >= 1.10 does it: ``flock`` on the open descriptor, shared for
readers and exclusive for writers, held until the file is closed.

libhdf5 uses ``flock`` (not ``fcntl`` record locks, which Linux keeps apart from ``flock``),
so h5pure and h5py/libhdf5 processes exclude each other.  The environment variable
``HDF5_USE_FILE_LOCKING`` ("TRUE"/"1", "FALSE"/"0", "BEST_EFFORT") overrides the ``locking``
argument, as it does in libhdf5 (``H5F__parse_file_lock_env_var``).
"""

from __future__ import annotations

import errno
import os
import threading
from dataclasses import dataclass
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock
    fcntl = None  # type: ignore[assignment]

ENV_VAR = "HDF5_USE_FILE_LOCKING"


@dataclass(frozen=True)
class LockPolicy:
    """Whether to lock, and whether a file system without locks is tolerated."""

    use: bool = True
    """Take the lock at all."""
    ignore_when_disabled: bool = True
    """Carry on unlocked where the file system does not support locks (ENOSYS/ENOTSUP)."""


def lock_policy(locking: Any = None) -> LockPolicy:
    """The policy for h5py's ``locking`` argument (None, True, False, "true", "false",
    "best-effort"), overridden by ``HDF5_USE_FILE_LOCKING``; h5py's ValueError otherwise."""
    if locking is None:
        policy = LockPolicy()
    elif locking in ("false", False):
        policy = LockPolicy(use=False, ignore_when_disabled=False)
    elif locking in ("true", True):
        policy = LockPolicy(use=True, ignore_when_disabled=False)
    elif locking == "best-effort":
        policy = LockPolicy(use=True, ignore_when_disabled=True)
    else:
        raise ValueError(f"Unsupported locking value: {locking}")
    # compared exactly, as libhdf5 does: "false" or " FALSE" leave the argument in force
    env = os.environ.get(ENV_VAR, "")
    if env in ("FALSE", "0"):
        return LockPolicy(use=False, ignore_when_disabled=False)
    if env in ("TRUE", "1"):
        return LockPolicy(use=True, ignore_when_disabled=False)
    if env == "BEST_EFFORT":
        return LockPolicy(use=True, ignore_when_disabled=True)
    return policy


_UNSUPPORTED = {errno.ENOSYS, getattr(errno, "ENOTSUP", -1), getattr(errno, "EOPNOTSUPP", -1)}


class _Held:
    """The descriptors of one file (device, inode) this process has open and locked."""

    def __init__(self) -> None:
        self.fds: dict[int, bool] = {}
        """descriptor -> exclusive wanted; the first one holds the flock."""
        self.exclusive = False
        """The mode the holder's flock has."""


# libhdf5 shares one open file between the opens of one process; h5pure opens a file once
# per File object, and flock would make those opens exclude each other.  The lock is taken
# once per process and file, and moved to another descriptor when its holder closes.
_HELD: dict[tuple[int, int], _Held] = {}
_FD_KEY: dict[int, tuple[int, int]] = {}
_GUARD = threading.Lock()


def _flock(fd: int, exclusive: bool, policy: LockPolicy) -> bool:
    """flock without waiting; False where locks are unsupported and that is tolerated."""
    assert fcntl is not None
    op = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    try:
        fcntl.flock(fd, op)
    except OSError as e:
        if e.errno in _UNSUPPORTED and policy.ignore_when_disabled:
            return False
        raise OSError(
            e.errno,
            f"Unable to synchronously open file (unable to lock file, errno = {e.errno}, "
            f"error message = '{os.strerror(e.errno or 0)}')",
        ) from None
    return True


def lock_fd(fd: int, exclusive: bool, policy: LockPolicy, path: str) -> None:
    """Lock ``fd`` without waiting; an OSError in libhdf5's words if another process holds
    a conflicting lock."""
    if not policy.use:
        return
    if fcntl is None:  # pragma: no cover
        if policy.ignore_when_disabled:
            return
        raise OSError(errno.ENOSYS, "Unable to lock file: locking is not supported here", path)
    st = os.fstat(fd)
    key = (st.st_dev, st.st_ino)
    with _GUARD:
        held = _HELD.get(key)
        if held is None:
            if not _flock(fd, exclusive, policy):
                return
            held = _HELD[key] = _Held()
            held.exclusive = exclusive
        elif exclusive and not held.exclusive:
            # upgrade this process's shared lock (fails if another process shares it)
            _flock(next(iter(held.fds)), True, policy)
            held.exclusive = True
        held.fds[fd] = exclusive
        _FD_KEY[fd] = key


def unlock_fd(fd: int) -> None:
    """Release ``fd``'s part of the lock (call before closing it)."""
    if fcntl is None:  # pragma: no cover
        return
    with _GUARD:
        key = _FD_KEY.pop(fd, None)
        if key is None:
            return
        held = _HELD[key]
        holder = next(iter(held.fds)) == fd
        del held.fds[fd]
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError:
            pass  # closing the descriptor releases it anyway
        if not held.fds:
            del _HELD[key]
            return
        exclusive = any(held.fds.values())
        if holder or exclusive != held.exclusive:
            # the flock belonged to the closing descriptor, or the last writer went: hand
            # it on / downgrade it (two descriptions of one file conflict, so only once
            # the closing one has let go)
            held.exclusive = exclusive
            op = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
            try:
                fcntl.flock(next(iter(held.fds)), op | fcntl.LOCK_NB)
            except OSError:
                pass  # another process got in between; this one carries on unlocked
