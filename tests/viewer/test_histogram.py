"""The viewer's /histogram endpoint: numpy's counts, over the whole selection, read in
bounded blocks."""

from __future__ import annotations

import json

import numpy as np
import pytest

import h5pure
from h5pure.viewer import Limits, ViewerError, ViewerModel, ViewerServer

from .kit import fetch


@pytest.fixture(scope="module")
def model(sample_dir):
    f = h5pure.File(sample_dir / "pure.h5", "r")
    yield ViewerModel({"pure.h5": f}, Limits(max_response_bytes=4096))  # many blocks
    f.close()


@pytest.mark.parametrize("path", ["/nD/image", "/nD/stack_4d", "/dtypes/int_u8",
                                  "/dtypes/float_nan_inf", "/nD/image_u16_be", "/dtypes/bool"])
@pytest.mark.parametrize("bins", [1, 7, 64])
def test_counts_equal_numpy(model, sample_dir, path, bins):
    f = model.files["pure.h5"]
    got = model.histogram(model.entity(f, path), bins=str(bins))
    values = np.asarray(f[path][()], dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    lo, hi = values.min(), values.max()
    counts, edges = np.histogram(values, bins=bins, range=(lo, hi) if lo < hi else (lo - .5, hi + .5))
    assert got["values"] == counts.tolist()
    np.testing.assert_allclose(got["bins"], edges)
    assert got["count"] == values.size


def test_selection(model):
    f = model.files["pure.h5"]
    got = model.histogram(model.entity(f, "/nD/stack_4d"), selection="1,2,:,::5", bins="10")
    values = f["/nD/stack_4d"][1, 2, :, ::5].ravel()
    assert got["values"] == np.histogram(values, bins=10)[0].tolist()


@pytest.mark.parametrize(("bins", "status"), [("0", 422), ("x", 422), ("100001", 422)])
def test_bad_bins(model, bins, status):
    f = model.files["pure.h5"]
    with pytest.raises(ViewerError) as exc:
        model.histogram(model.entity(f, "/nD/image"), bins=bins)
    assert exc.value.status == status


def test_strings_refused_over_http(sample_dir):
    f = h5pure.File(sample_dir / "pure.h5", "r")
    with ViewerServer({"pure.h5": f}, api_only=True) as s:
        got = fetch(s.api_url + "/histogram?file=pure.h5&path=/dtypes/str_fixed")
        assert got.status == 422
        ok = fetch(s.api_url + "/histogram?file=pure.h5&path=/nD/line&bins=5")
        assert ok.status == 200
        assert sum(json.loads(ok.body)["values"]) == 500
    f.close()
