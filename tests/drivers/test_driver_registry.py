"""The built-in drivers register on first use: ``get_driver`` imports the module of the
name asked for, and ``registered_drivers`` names them all."""

from __future__ import annotations

import pytest

from h5pure.drivers import base


@pytest.mark.parametrize("name", sorted(base._BUILT_IN))
def test_each_built_in_driver_is_found_by_name(name: str) -> None:
    module, cls = base._BUILT_IN[name]
    driver = base.get_driver(name)
    assert driver.__name__ == cls and driver.__module__ == f"h5pure.drivers.{module}"
    assert driver.name == name  # type: ignore[attr-defined]


def test_registered_drivers_names_every_built_in_driver() -> None:
    assert set(base._BUILT_IN) <= base.registered_drivers()


def test_an_unknown_driver_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown driver type 'nope'"):
        base.get_driver("nope")
