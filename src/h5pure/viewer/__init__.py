"""``h5pure view``: H5Web in the browser, on h5grove's HTTP API served by h5pure.

- :mod:`.model` -- h5grove's answers (metadata, attributes, data slices, statistics, paths)
  from h5pure's public API, with the viewer's limits; testable without HTTP;
- :mod:`.types` -- HDF5 datatypes as h5grove describes them;
- :mod:`.jsonenc`, :mod:`.encoders` -- the answers' bytes (JSON as h5grove writes it, bin,
  npy, csv, tiff);
- :mod:`.server` -- the HTTP server (standard library, loopback, token, read-only);
- ``static/`` -- the front end, built from ``webapp/`` when the package is built.
"""

from .model import Limits, ViewerError, ViewerModel
from .server import STATIC_DIR, ViewerServer, bundle_present

__all__ = ["STATIC_DIR", "Limits", "ViewerError", "ViewerModel", "ViewerServer", "bundle_present"]
