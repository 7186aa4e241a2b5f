"""h5pure reads what libhdf5 writes, identically to h5py: one file per libver setting."""

import pytest
from builders import LIBVERS, build_everything
from compare import compare_files

import h5pure


@pytest.fixture(scope="module", params=sorted(LIBVERS))
def everything(request, tmp_path_factory):
    h5py = pytest.importorskip("h5py")
    d = tmp_path_factory.mktemp(f"matrix_{request.param}")
    path = d / "everything.h5"
    build_everything(path, h5py, LIBVERS[request.param], ext_path=d / "ext.h5")
    return path


def test_whole_file_matches_h5py(everything):
    import h5py

    with h5py.File(everything, "r") as theirs, h5pure.File(everything, "r") as ours:
        compare_files(ours, theirs)


@pytest.mark.parametrize(
    "group",
    ["groups", "numeric", "chunked", "types", "attrs", "dims"],
)
def test_each_section(everything, group):
    import h5py

    with h5py.File(everything, "r") as theirs, h5pure.File(everything, "r") as ours:
        compare_files(ours[group], theirs[group])
