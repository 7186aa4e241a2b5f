"""h5py's ``_errors``: printing of libhdf5's error stack.  h5pure has no libhdf5 error
stack, so there is nothing to print: ``silence_errors`` and ``unsilence_errors`` change
nothing, which is exactly their effect under h5pure."""


def silence_errors() -> None:
    """libhdf5 prints no error stack here (there is none)."""


def unsilence_errors() -> None:
    """There is no libhdf5 error stack to print."""
