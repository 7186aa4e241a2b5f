"""Copying an object from one HDF5 file to another (or within one), as ``h5copy`` does:
``H5Ocopy``'s semantics through ``Group.copy`` (``shallow``, ``expand_soft``,
``expand_external``, ``expand_refs``, ``without_attrs``)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..hl import File

FLAGS = ("shallow", "soft", "ext", "ref", "noattr", "allflags")


class CopyFailed(Exception):
    """The copy could not be made (the message names the file and the object)."""


@dataclass(frozen=True)
class CopyFlags:
    """``h5copy -f``'s flags, as ``Group.copy``'s keywords."""

    shallow: bool = False
    expand_soft: bool = False
    expand_external: bool = False
    expand_refs: bool = False
    without_attrs: bool = False

    @classmethod
    def parse(cls, names: list[str]) -> CopyFlags:
        """Flags from ``h5copy``'s names (repeatable; ``allflags`` sets them all)."""
        values = dict.fromkeys(
            ("shallow", "expand_soft", "expand_external", "expand_refs", "without_attrs"), False
        )
        keys = {
            "shallow": "shallow",
            "soft": "expand_soft",
            "ext": "expand_external",
            "ref": "expand_refs",
            "noattr": "without_attrs",
        }
        for name in names:
            name = name.strip().lower()
            if name == "allflags":
                values = dict.fromkeys(values, True)
            elif name in keys:
                values[keys[name]] = True
            else:
                raise ValueError(f"unknown flag {name!r} (one of {', '.join(FLAGS)})")
        return cls(**values)


def copy_object(
    src_file: str,
    src_obj: str,
    dst_file: str,
    dst_obj: str,
    flags: CopyFlags | None = None,
    parents: bool = False,
) -> bool:
    """Copy ``src_obj`` of ``src_file`` to ``dst_obj`` of ``dst_file`` (created when
    missing, else opened for writing).  ``parents`` creates missing groups on the way;
    returns whether it had to."""
    flags = flags or CopyFlags()
    if not os.path.exists(src_file):
        raise CopyFailed(f"{src_file}: no such file")
    try:
        src = File(src_file, "r")
    except (OSError, ValueError) as e:
        raise CopyFailed(f"{src_file}: {e}") from None
    try:
        same = os.path.exists(dst_file) and os.path.samefile(src_file, dst_file)
        if same:
            src.close()
        try:
            dst = File(dst_file, "r+" if os.path.exists(dst_file) else "w-")
        except (OSError, ValueError) as e:
            raise CopyFailed(f"{dst_file}: {e}") from None
        if same:
            src = dst
        try:
            return _copy(src, src_file, src_obj, dst, dst_file, dst_obj, flags, parents)
        finally:
            dst.close()
    finally:
        if src:
            src.close()


def _copy(
    src: File,
    src_file: str,
    src_obj: str,
    dst: File,
    dst_file: str,
    dst_obj: str,
    flags: CopyFlags,
    parents: bool,
) -> bool:
    if src_obj not in src:
        raise CopyFailed(f"{src_file}: object {src_obj!r} not found")
    try:
        obj = src[src_obj]
    except (KeyError, OSError, ValueError) as e:
        raise CopyFailed(f"{src_file}: {src_obj}: {e}") from None
    path = dst_obj if dst_obj.startswith("/") else "/" + dst_obj
    parent_path, _, base = path.rstrip("/").rpartition("/")
    parent_path = parent_path or "/"
    if not base:
        raise CopyFailed(f"{dst_file}: no destination name in {dst_obj!r}")
    made = False
    if parent_path not in dst:
        if not parents:
            raise CopyFailed(
                f"{dst_file}: group <{parent_path}> doesn't exist. Use -p to create parent groups."
            )
        dst.require_group(parent_path)
        made = True
    if path in dst:
        raise CopyFailed(f"{dst_file}: destination object {path!r} already exists")
    try:
        dst[parent_path].copy(
            obj,
            dst[parent_path],
            name=base,
            shallow=flags.shallow,
            expand_soft=flags.expand_soft,
            expand_external=flags.expand_external,
            expand_refs=flags.expand_refs,
            without_attrs=flags.without_attrs,
        )
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise CopyFailed(f"{src_file}: {src_obj}: {e}") from None
    return made
