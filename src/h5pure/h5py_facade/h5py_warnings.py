"""h5py's warning classes."""


class H5pyWarning(UserWarning):
    """Base of h5py's warnings."""


class H5pyDeprecationWarning(H5pyWarning):
    """A deprecated h5py feature was used."""
