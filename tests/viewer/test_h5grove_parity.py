"""h5grove is the oracle: the same request, on the same file, gives the same status, the same
content type and the same bytes from h5pure's server as from real h5grove (on h5py).

Both sample files are served: one written by h5pure, one by h5py (same calls).

What is normalised, and why (nothing else is):

1. **Big-endian numbers in JSON.**  h5grove's encoder (orjson) reads big-endian numeric
   arrays as if they were native and sends byte-swapped values (``[256, 512]`` for
   ``[1, 2]``).  We send the values: for those requests the expected body is h5grove's
   encoder applied to the same data in native byte order.
2. **h5grove's 500s.**  Where h5grove lets an exception reach its web framework (a bad
   selection, a missing attribute, data asked of a group, statistics of strings, CSV of
   3-D data) it answers 500 with an HTML page.  We answer 4xx with a JSON message; the
   test checks h5grove's 500 and our 404/422.
3. **TIFF** files are compared by the pixels they hold (``tifffile.imread``): h5grove
   writes with tifffile, whose files carry tifffile's own extra tags.
4. ``format=bin`` of variable-length or reference data: h5grove sends the bytes of a
   numpy object array (memory addresses); we refuse with 422.
5. The message for a bad ``resolve_links``: h5grove's names Python enum members
   (``LinkResolution.ALL``) where we name the accepted values (``all``).  Every other
   error message is compared as is (H5Web reads some of them: "not a valid path",
   "Cannot resolve", "File not found").
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from .kit import SAMPLES, fetch

# -- what the sample holds ---------------------------------------------------------------

NUMERIC = [
    "/dtypes/int_i1", "/dtypes/int_i2", "/dtypes/int_i4", "/dtypes/int_i8",
    "/dtypes/int_u1", "/dtypes/int_u2", "/dtypes/int_u4", "/dtypes/int_u8",
    "/dtypes/int_be_i4", "/dtypes/float_f2", "/dtypes/float_f4", "/dtypes/float_f8",
    "/dtypes/float_be_f8", "/dtypes/float_be_f4", "/dtypes/float_nan_inf", "/dtypes/bool",
    "/dtypes/enum", "/dtypes/scalar_int", "/dtypes/scalar_float", "/dtypes/complex_c8",
    "/dtypes/complex_c16", "/dtypes/zero_size", "/entities/dataset", "/nD/line",
    "/nD/x_values", "/nD/image", "/nD/image_u16_be", "/nD/stack_4d",
    "/nexus_entry/image/data", "/nexus_entry/image/X", "/nexus_entry/spectrum/counts",
]
OTHER = [
    "/dtypes/str_fixed", "/dtypes/str_vlen_utf8", "/dtypes/str_vlen_ascii",
    "/dtypes/scalar_str", "/dtypes/compound", "/dtypes/compound_nested",
    "/dtypes/array_type", "/dtypes/vlen_int", "/dtypes/object_refs", "/dtypes/region_refs",
    "/dtypes/empty_f4",
]
GROUPS = ["/", "/entities", "/entities/empty_group", "/dtypes", "/nD", "/nexus_entry",
          "/nexus_entry/image", "/nexus_entry/spectrum"]
LINKS = ["/entities/soft_link", "/entities/dangling_soft_link", "/entities/external_link"]
BIG_ENDIAN = {"/dtypes/int_be_i4", "/dtypes/float_be_f8", "/dtypes/float_be_f4",
              "/nD/image_u16_be"}
NDIM = {"/nD/image": 2, "/nD/image_u16_be": 2, "/nD/stack_4d": 4, "/dtypes/zero_size": 2,
        "/dtypes/float_be_f4": 2, "/dtypes/complex_c16": 2, "/nexus_entry/image/data": 2,
        "/dtypes/scalar_int": 0, "/dtypes/scalar_float": 0}
SCALAR = {p for p, n in NDIM.items() if n == 0}
COMPLEX = {"/dtypes/complex_c8", "/dtypes/complex_c16"}


def _requests() -> list[str]:
    out: list[str] = []
    for path in GROUPS + NUMERIC + OTHER + LINKS + ["/entities/datatype"]:
        out.append(f"meta?path={path}")
    for path in LINKS:
        for mode in ("none", "only_valid", "all", "true", "false"):
            out.append(f"meta?path={path}&resolve_links={mode}")
    for path in GROUPS + ["/entities/dataset", "/nD/image", "/nexus_entry/image/data"]:
        out.append(f"attr?path={path}")
    out += ["attr?path=/&attr_keys=str&attr_keys=int", "attr?path=/nD/image&attr_keys=description"]
    for path in NUMERIC + OTHER:
        out += [f"data?path={path}", f"data?path={path}&flatten=true"]
    for path in NUMERIC:
        out.append(f"data?path={path}&format=bin&dtype=safe")
        out.append(f"data?path={path}&format=bin")
        out.append(f"data?path={path}&format=npy")
        out.append(f"data?path={path}&dtype=safe")
        if path not in SCALAR and path not in COMPLEX:
            out.append(f"stats?path={path}")
    for path in NUMERIC:
        if 1 <= NDIM.get(path, 1) <= 2 and path not in COMPLEX:
            out.append(f"data?path={path}&format=csv")
        if NDIM.get(path, 1) == 2 and path not in COMPLEX:
            out.append(f"data?path={path}&format=tiff")
    out += [
        "data?path=/nD/stack_4d&selection=1,2,:,:&format=bin&dtype=safe",
        "data?path=/nD/stack_4d&selection=1,2,:,:",
        "data?path=/nD/stack_4d&selection=0,:,5,::7&flatten=true",
        "data?path=/nD/stack_4d&selection=2,3,10:30:4,::3",
        "data?path=/nD/image&selection=::10,::20&format=npy",
        "data?path=/nD/image&selection=5",
        "data?path=/nD/image&selection=:7,-3",
        "data?path=/nD/line&selection=100:110&format=csv",
        "data?path=/dtypes/compound&selection=1",
        "data?path=/dtypes/str_vlen_utf8&selection=1:",
        "stats?path=/nD/stack_4d&selection=1,:,::3",
        "stats?path=/nD/image&selection=0:20,%2030:50",
        "paths?path=/", "paths?path=/entities", "paths?path=/nexus_entry/image",
        "paths?path=/&resolve_links=none",
    ]
    # errors h5grove answers itself
    out += [
        "meta?path=/no/such/thing", "meta?path=/entities/dataset/child",
        "data?path=/nowhere", "meta?path=/&resolve_links=maybe",
        "data?path=/nD/image&format=xls", "data?path=/nD/image&dtype=unsafe",
        "data?path=/dtypes/str_fixed&dtype=safe", "data?path=/dtypes/compound&format=npy",
        "data?path=/dtypes/scalar_int&format=csv",
        "meta?path=/entities/dangling_soft_link&resolve_links=all",
    ]
    return out


# Requests h5grove answers with 500 (normalisation 2): ours must be this 4xx instead.
H5GROVE_500 = {
    "data?path=/nD/image&selection=:7,1,2": 422,
    "data?path=/nD/image&selection=a:b": 422,
    "data?path=/nD/image&selection=500": 422,
    "data?path=/nD/image&selection=::-1": 422,
    "data?path=/nD": 422,
    "stats?path=/dtypes/str_fixed": 422,
    "attr?path=/&attr_keys=nothing": 404,
    "data?path=/nD/stack_4d&format=csv": 422,
    "data?path=/entities/dangling_soft_link": 422,
    "data?path=/nD/line&format=tiff": 422,
    "paths?path=/entities&resolve_links=all": 404,
}


def _native(value):
    if isinstance(value, np.ndarray) and value.dtype.byteorder == ">":
        return value.astype(value.dtype.newbyteorder("="))
    if isinstance(value, np.generic) and value.dtype.byteorder == ">":
        return value.astype(value.dtype.newbyteorder("="))
    return value


def _grove_json_native(sample_dir, name: str, path: str, flatten: bool, dtype: str | None):
    """What h5grove would send for a big-endian dataset without orjson's byte-order slip
    (normalisation 1): h5grove's own encoder on the natively ordered data."""
    h5py = pytest.importorskip("h5py")
    from h5grove.encoders import orjson_encode
    from h5grove.utils import convert

    with h5py.File(sample_dir / name, "r") as f:
        value = convert(f[path][()], dtype or "origin")
    if flatten and isinstance(value, np.ndarray):
        value = np.ravel(value)
    return orjson_encode(_native(value))


def _attr_json_native(sample_dir, name: str, path: str):
    h5py = pytest.importorskip("h5py")
    from h5grove.encoders import orjson_encode

    with h5py.File(sample_dir / name, "r") as f:
        return orjson_encode({k: _native(v) for k, v in f[path].attrs.items()})


def _query_params(query: str) -> dict[str, str]:
    _, _, q = query.partition("?")
    return dict(p.split("=", 1) for p in q.split("&") if p)


@pytest.mark.parametrize("name", list(SAMPLES))
@pytest.mark.parametrize("query", _requests())
def test_same_answer_as_h5grove(query, name, served, grove, sample_dir):
    full = query.replace("?", f"?file={name}&", 1)
    expected = grove.get("/" + full)
    got = fetch(served.api_url + "/" + full)
    params = _query_params(query)
    assert got.status == expected.status_code, got.body[:300]
    assert got.content_type == expected.headers.get("Content-Type")
    if params.get("format") == "tiff" and got.status == 200:
        tifffile = pytest.importorskip("tifffile")
        want = tifffile.imread(io.BytesIO(expected.data))
        have = tifffile.imread(io.BytesIO(got.body))
        np.testing.assert_array_equal(have, want.reshape(have.shape))
        return
    endpoint = query.split("?")[0]
    path = params.get("path", "/")
    if got.status == 200 and path in BIG_ENDIAN and endpoint == "data" and (
        params.get("format", "json") == "json"
    ):
        body = _grove_json_native(
            sample_dir, name, path, params.get("flatten") == "true", params.get("dtype")
        )
        assert got.body == body
        return
    if got.status == 200 and endpoint == "attr" and path == "/" and "attr_keys" not in params:
        assert got.body == _attr_json_native(sample_dir, name, path)  # be_int attribute
        return
    if got.status != 200:
        if "resolve_links=maybe" in query:
            assert "maybe is not a valid value for link resolution" in got.body.decode()
            return
        assert json.loads(got.body) == json.loads(expected.data)
        return
    assert got.body == expected.data


@pytest.mark.parametrize("query", sorted(H5GROVE_500))
def test_h5grove_500_is_our_4xx(query, served, grove):
    full = query.replace("?", "?file=pure.h5&", 1)
    expected = grove.get("/" + full)
    got = fetch(served.api_url + "/" + full)
    assert expected.status_code == 500
    assert got.status == H5GROVE_500[query]
    assert json.loads(got.body)["message"]


def test_bin_of_object_data_is_refused(served):
    got = fetch(served.api_url + "/data?file=pure.h5&path=/dtypes/str_vlen_utf8&format=bin")
    assert got.status == 422
    assert "variable-length" in json.loads(got.body)["message"]


def test_root_answers_ok(served):
    got = fetch(served.api_url + "/")
    assert (got.status, got.body) == (200, b"ok")
