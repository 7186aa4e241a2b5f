"""h5py's warning classes (h5pure's own, which its API layer emits)."""

from ..errors import H5pyDeprecationWarning, H5pyWarning

__all__ = ["H5pyDeprecationWarning", "H5pyWarning"]
