"""h5py's and h5netcdf's own test suites on h5pure (through ``install_as_h5py``) against
the real h5py in the same run: every test that passes with h5py passes with h5pure, or
is listed with its reason in ``<suite>_known_failures.txt`` (see :mod:`.runner`)."""

from __future__ import annotations

import importlib.util
import os
import warnings

import pytest

from client_suites.runner import SUITES, Suite, compare


def _workers() -> int:
    # at most two busy processes: one when this test runs in an xdist worker already
    return 1 if os.environ.get("PYTEST_XDIST_WORKER") else 2


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("suite", list(SUITES.values()), ids=list(SUITES))
def test_client_suite(suite: Suite, tmp_path) -> None:
    if importlib.util.find_spec(suite.package) is None:
        pytest.skip(f"{suite.package} is not installed")
    if suite.pinned and suite.version() != suite.pinned:
        pytest.skip(f"the known failures are for {suite.package} {suite.pinned}")
    cmp = compare(suite, tmp_path, n_workers=_workers())
    print(cmp.summary())
    if cmp.fixed:
        warnings.warn(
            f"{len(cmp.fixed)} tests listed in {suite.known_failures.name} now pass; remove "
            "them: " + ", ".join(cmp.fixed),
            stacklevel=1,
        )
    if cmp.stale:
        warnings.warn(
            f"{len(cmp.stale)} tests listed in {suite.known_failures.name} do not pass with "
            "h5py in this run (renamed, skipped or gone): " + ", ".join(cmp.stale),
            stacklevel=1,
        )
    assert not cmp.unexpected, (
        f"{cmp.summary()}\n{len(cmp.unexpected)} tests pass with h5py and fail with h5pure, "
        f"and are not in {suite.known_failures.name}:\n"
        + "\n".join(f"  {n}  # {cmp.error(n)}" for n in cmp.unexpected)
    )
