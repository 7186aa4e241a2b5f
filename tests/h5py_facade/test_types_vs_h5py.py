"""The facade's ``h5t``, ``h5s``, ``h5p`` objects and helpers against h5py's (the real
h5py is the oracle; the facade is used as ``h5pure.h5py_facade``, not installed)."""

from __future__ import annotations

import numpy as np
import pytest

from h5pure.h5py_facade import MultiBlockSlice, h5p, h5s, h5t

h5py = pytest.importorskip("h5py")

DTYPES = [
    "<i1",
    ">u2",
    "<i4",
    ">i8",
    "<f2",
    "<f4",
    ">f8",
    "S7",
    "V5",
    "?",
    [("a", "<i4"), ("b", ">f8")],
    ("<i2", (2, 3)),
]


def _both(dt):
    return h5t.py_create(np.dtype(dt)), h5py.h5t.py_create(np.dtype(dt))


@pytest.mark.parametrize("dt", DTYPES, ids=str)
def test_py_create_matches(dt):
    ours, theirs = _both(dt)
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.get_class() == theirs.get_class()
    assert ours.get_size() == theirs.get_size()
    assert ours.dtype == theirs.dtype
    if isinstance(theirs, h5py.h5t.TypeAtomicID) and not isinstance(theirs, h5py.h5t.TypeStringID):
        assert ours.get_order() == theirs.get_order()
        assert ours.get_precision() == theirs.get_precision()
        assert ours.get_offset() == theirs.get_offset()
    if isinstance(theirs, h5py.h5t.TypeFloatID):
        assert ours.get_fields() == theirs.get_fields()
        assert ours.get_ebias() == theirs.get_ebias()
        assert ours.get_norm() == theirs.get_norm()
    if isinstance(theirs, h5py.h5t.TypeIntegerID):
        assert ours.get_sign() == theirs.get_sign()
    if isinstance(theirs, h5py.h5t.TypeCompositeID):
        assert ours.get_nmembers() == theirs.get_nmembers()
        for i in range(theirs.get_nmembers()):
            assert ours.get_member_name(i) == theirs.get_member_name(i)
    if isinstance(theirs, h5py.h5t.TypeCompoundID):
        for i in range(theirs.get_nmembers()):
            assert ours.get_member_offset(i) == theirs.get_member_offset(i)
            assert ours.get_member_class(i) == theirs.get_member_class(i)
    if isinstance(theirs, h5py.h5t.TypeArrayID):
        assert ours.get_array_dims() == theirs.get_array_dims()


@pytest.mark.parametrize(
    "dt",
    [h5py.string_dtype(), h5py.string_dtype("ascii"), h5py.string_dtype("utf-8", 5)],
    ids=["vlen-utf8", "vlen-ascii", "fixed-utf8"],
)
def test_strings_match(dt):
    ours = h5t.py_create(dt, logical=True)
    theirs = h5py.h5t.py_create(dt, logical=True)
    assert isinstance(ours, h5t.TypeStringID)
    assert ours.get_class() == theirs.get_class() == h5t.STRING
    assert ours.is_variable_str() == theirs.is_variable_str()
    assert ours.get_size() == theirs.get_size()
    assert ours.get_cset() == theirs.get_cset()
    assert ours.get_strpad() == theirs.get_strpad()
    assert ours.dtype == theirs.dtype


def test_string_type_building_matches():
    def build(mod):
        tid = mod.h5t.C_S1.copy()
        tid.set_size(6)
        tid.set_strpad(mod.h5t.STR_NULLPAD)
        tid.set_cset(mod.h5t.CSET_UTF8)
        return tid

    import h5pure.h5py_facade as facade

    ours, theirs = build(facade), build(h5py)
    assert (ours.get_size(), ours.get_strpad(), ours.get_cset()) == (
        theirs.get_size(),
        theirs.get_strpad(),
        theirs.get_cset(),
    )
    assert ours.dtype == theirs.dtype
    assert ours == h5t.py_create(h5py.string_dtype("utf-8", 6))
    var = facade.h5t.C_S1.copy()
    var.set_size(h5t.VARIABLE)
    assert var.is_variable_str() and var.get_class() == h5t.STRING
    assert var.dtype == h5py.string_dtype("ascii")


def test_enum_building_matches():
    def build(mod):
        tid = mod.h5t.enum_create(mod.h5t.py_create(np.dtype("u1")))
        tid.enum_insert(b"one", 1)
        tid.enum_insert(b"zero", 0)
        return tid

    import h5pure.h5py_facade as facade

    ours, theirs = build(facade), build(h5py)
    assert ours.dtype == theirs.dtype
    assert h5py.check_enum_dtype(ours.dtype) == h5py.check_enum_dtype(theirs.dtype)
    assert [ours.get_member_name(i) for i in range(2)] == [
        theirs.get_member_name(i) for i in range(2)
    ]
    assert ours.enum_nameof(0) == theirs.enum_nameof(0) == b"zero"
    assert ours.enum_valueof(b"one") == theirs.enum_valueof(b"one") == 1


PREDEFINED = [
    "NATIVE_INT8",
    "NATIVE_UINT64",
    "NATIVE_FLOAT",
    "NATIVE_DOUBLE",
    "NATIVE_LDOUBLE",
    "STD_I16BE",
    "STD_U32LE",
    "IEEE_F16LE",
    "IEEE_F64BE",
    "STD_B8LE",
    "STD_B64BE",
    "STD_REF_OBJ",
    "STD_REF_DSETREG",
    "C_S1",
    "FORTRAN_S1",
    "COMPLEX_IEEE_F32LE",
    "COMPLEX_IEEE_F64BE",
    "NATIVE_DOUBLE_COMPLEX",
]


@pytest.mark.parametrize("name", PREDEFINED)
def test_predefined_types_match(name):
    ours, theirs = getattr(h5t, name), getattr(h5py.h5t, name)
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.get_class() == theirs.get_class()
    assert ours.get_size() == theirs.get_size()
    if hasattr(theirs, "get_order"):
        assert ours.get_order() == theirs.get_order()
    with pytest.raises(TypeError):
        ours.set_size(ours.get_size() + 1)  # predefined types are locked


def test_constants_match():
    for mod_name in ("h5t", "h5s", "h5f", "h5d", "h5z", "h5o", "h5r", "h5l", "h5p", "h5fd", "h5i"):
        import importlib

        ours = importlib.import_module(f"h5pure.h5py_facade.{mod_name}")
        theirs = getattr(h5py, mod_name)
        for key, value in vars(theirs).items():
            if key.isupper() and isinstance(value, int) and not key.startswith("_"):
                if mod_name == "h5fd" and (value == -1 or key.startswith("LOG_")):
                    continue
                assert getattr(ours, key) == value, f"{mod_name}.{key}"


def _select(mod, space_ops):
    space = mod.h5s.create_simple((10, 20), (mod.h5s.UNLIMITED, 20))
    for op in space_ops:
        getattr(space, op[0])(*op[1:])
    return space


@pytest.mark.parametrize(
    "ops",
    [
        [],
        [("select_hyperslab", (1, 2), (2, 3), (3, 4), (1, 2))],
        [("select_hyperslab", (0, 0), (2, 2)), ("select_none",)],
        [("select_elements", [(0, 1), (5, 5), (2, 3)])],
    ],
    ids=["all", "hyperslab", "none", "points"],
)
def test_dataspace_selections_match(ops):
    import h5pure.h5py_facade as facade

    ours, theirs = _select(facade, ops), _select(h5py, ops)
    assert ours.shape == theirs.shape
    assert ours.get_simple_extent_dims(True) == theirs.get_simple_extent_dims(True)
    assert ours.get_select_type() == theirs.get_select_type()
    assert ours.get_select_npoints() == theirs.get_select_npoints()
    if theirs.get_select_type() == h5s.SEL_HYPERSLABS:
        assert ours.get_select_bounds() == theirs.get_select_bounds()
        assert ours.get_select_hyper_nblocks() == theirs.get_select_hyper_nblocks()
        np.testing.assert_array_equal(
            ours.get_select_hyper_blocklist(), theirs.get_select_hyper_blocklist()
        )
    if theirs.get_select_type() == h5s.SEL_POINTS:
        np.testing.assert_array_equal(
            ours.get_select_elem_pointlist(), theirs.get_select_elem_pointlist()
        )


def test_scalar_and_null_spaces_match():
    for kind in (h5s.SCALAR, h5s.NULL):
        ours, theirs = h5s.create(kind), h5py.h5s.create(kind)
        assert ours.shape == theirs.shape
        assert ours.get_simple_extent_type() == theirs.get_simple_extent_type()
        assert ours.get_select_npoints() == theirs.get_select_npoints()


def test_property_list_defaults_match():
    for cls in ("DATASET_CREATE", "FILE_ACCESS", "GROUP_CREATE", "LINK_ACCESS", "FILE_CREATE"):
        ours, theirs = h5p.create(getattr(h5p, cls)), h5py.h5p.create(getattr(h5py.h5p, cls))
        assert type(ours).__name__ == type(theirs).__name__
    ours, theirs = h5p.create(h5p.DATASET_CREATE), h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    assert ours.get_layout() == theirs.get_layout()
    assert ours.get_fill_time() == theirs.get_fill_time()
    assert ours.fill_value_defined() == theirs.fill_value_defined()
    for plist in (ours, theirs):
        plist.set_chunk((4, 5))
        plist.set_deflate(3)
        plist.set_shuffle()
    assert ours.get_layout() == theirs.get_layout()
    assert ours.get_chunk() == theirs.get_chunk()
    assert ours.get_nfilters() == theirs.get_nfilters()
    assert ours.get_filter(0)[:3] == theirs.get_filter(0)[:3]
    assert ours.get_alloc_time() == theirs.get_alloc_time()
    gcpl = h5p.create(h5p.GROUP_CREATE)
    gcpl.set_link_creation_order(h5p.CRT_ORDER_TRACKED | h5p.CRT_ORDER_INDEXED)
    assert gcpl.get_link_creation_order() == 3
    ocpl = h5p.create(h5p.OBJECT_CREATE)
    assert (
        ocpl.get_attr_phase_change()
        == h5py.h5p.create(h5py.h5p.OBJECT_CREATE).get_attr_phase_change()
    )
    with pytest.raises(ValueError):
        ocpl.set_attr_phase_change(65536, 6)


@pytest.mark.parametrize(
    "kwds, length",
    [
        ({}, 10),
        ({"start": 4}, 10),
        ({"stride": 3, "block": 2}, 10),
        ({"start": 1, "count": 2, "stride": 5, "block": 4}, 10),
    ],
)
def test_multiblockslice_matches(kwds, length):
    assert MultiBlockSlice(**kwds).indices(length) == h5py.MultiBlockSlice(**kwds).indices(length)


@pytest.mark.parametrize(
    "kwds, length",
    [
        ({"count": 11}, 10),
        ({"start": 8, "stride": 4, "block": 3}, 10),
        ({"start": 2, "count": 2, "stride": 5, "block": 4}, 10),
    ],
)
def test_multiblockslice_errors_match(kwds, length):
    with pytest.raises(ValueError):
        h5py.MultiBlockSlice(**kwds).indices(length)
    with pytest.raises(ValueError):
        MultiBlockSlice(**kwds).indices(length)


def test_complex_helpers_match():
    for dt in ("<c8", ">c16"):
        assert h5t.complex_compat_dtype(dt) == h5py.complex_compat_dtype(dt)
        assert h5t.check_complex_dtype(h5py.complex_compat_dtype(dt)) == h5py.check_complex_dtype(
            h5py.complex_compat_dtype(dt)
        )
