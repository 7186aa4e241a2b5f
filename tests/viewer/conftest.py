"""Fixtures of the viewer's tests: the sample files (written by h5pure and by h5py), our
server on them, and real h5grove (its Flask blueprint, on h5py) on the same directory."""

from __future__ import annotations

import pytest

import h5pure
from h5pure.testing.viewer_sample import make_sample
from h5pure.viewer import ViewerServer

from .kit import SAMPLES


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory):
    h5py = pytest.importorskip("h5py")
    d = tmp_path_factory.mktemp("viewer_samples")
    make_sample(d / "pure.h5", h5pure)
    make_sample(d / "h5py.h5", h5py)
    return d


@pytest.fixture(scope="session")
def served(sample_dir):
    """Our server on both sample files (API only: no front end needed)."""
    files = {name: h5pure.File(sample_dir / name, "r") for name in SAMPLES}
    server = ViewerServer(files, api_only=True).start()
    yield server
    server.shutdown()
    for f in files.values():
        f.close()


@pytest.fixture(scope="session")
def grove(sample_dir):
    """h5grove's Flask test client serving the same directory."""
    flask = pytest.importorskip("flask")
    blueprint = pytest.importorskip("h5grove.flask_utils").BLUEPRINT
    app = flask.Flask("h5grove-oracle")
    app.config["H5_BASE_DIR"] = str(sample_dir)
    app.register_blueprint(blueprint)
    return app.test_client()
