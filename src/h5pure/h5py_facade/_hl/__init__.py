"""h5py's ``_hl`` package: where h5py's high-level classes live.

The classes are h5pure's own (:mod:`h5pure.hl`); these modules give them the module
paths h5py gives them, for code that imports from ``h5py._hl.<module>``.
"""
