"""Turn what either library returns into plain values that compare equal across them."""

import numpy as np


def plain(v, f=None):
    """A comparable form of ``v``: numpy values with their dtype, references by the name
    of their target (``f`` the file to dereference in), h5py objects by class and name."""
    name = type(v).__name__
    if isinstance(v, np.ndarray):
        if v.dtype.kind == "O":
            return ("array", v.shape, [plain(x, f) for x in v.reshape(-1)])
        if v.dtype.names:
            return ("struct", v.dtype.str, v.shape, [plain(x, f) for x in v.reshape(-1)])
        return ("array", v.dtype.str, v.shape, v.tolist())
    if isinstance(v, np.void) and v.dtype.names:
        return ("record", tuple(plain(v[k], f) for k in v.dtype.names))
    if isinstance(v, np.generic):
        return (v.dtype.str, v.item())
    if name in ("Reference", "RegionReference"):
        if not v:
            return (name, None)
        return (name, f[v].name if f is not None else True)
    if name == "Empty":
        return ("Empty", v.dtype.str)
    if name in ("Group", "Dataset", "Datatype", "File"):
        return (name, v.name)
    if isinstance(v, (list, tuple)):
        return tuple(plain(x, f) for x in v)
    if isinstance(v, dict):
        return {k: plain(x, f) for k, x in v.items()}
    if isinstance(v, type):
        return ("class", v.__name__)
    return v


def dump(f, root="/"):
    """Every link below ``root`` with what it points to: class, attributes, data."""
    out = []
    grp = f[root]

    def visit(name, link):
        kind = type(link).__name__
        item = [name, kind]
        if kind == "SoftLink":
            item.append(link.path)
        elif kind == "ExternalLink":
            item += [link.filename, link.path]
        else:
            obj = grp[name]
            item.append(type(obj).__name__)
            item.append(sorted((k, plain(a, f)) for k, a in obj.attrs.items()))
            if type(obj).__name__ == "Dataset":
                item += [obj.dtype.str, obj.shape, obj.maxshape, obj.chunks, obj.compression]
                item.append(plain(obj[()], f) if obj.shape is not None else "empty")
        out.append(item)

    grp.visititems_links(visit)
    return out
