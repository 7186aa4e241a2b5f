"""`h5pure ls` lists what h5py sees."""

import os
import subprocess
import sys

import numpy as np
import pytest

from h5pure.cli.main import main


@pytest.fixture
def sample(tmp_path, h5py):
    path = tmp_path / "s.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("g/data", data=np.arange(12).reshape(3, 4), chunks=(1, 4),
                         compression="gzip", maxshape=(None, 4))
        f["g"].attrs["note"] = "hello"
        f["s"] = h5py.SoftLink("/g/data")
        f["e"] = h5py.ExternalLink("other.h5", "/x")
        f["scalar"] = 1.5
    return path


def test_ls_recursive_lists_every_link(sample, capsys):
    assert main(["ls", "-r", str(sample)]) == 0
    out = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in out]
    assert names == ["/", "/e", "/g", "/g/data", "/s", "/scalar"]
    text = "\n".join(out)
    assert "Dataset {3/Inf, 4}" in text
    assert "Soft Link {/g/data}" in text
    assert "External Link {other.h5//x}" in text
    assert "Dataset {SCALAR}" in text


def test_ls_verbose_shows_attributes_and_storage(sample, capsys):
    assert main(["ls", "-r", "-v", str(sample)]) == 0
    out = capsys.readouterr().out
    assert "Attribute: note = 'hello'" in out
    assert "Chunks:    (1, 4)" in out
    assert "Filters:   gzip" in out


def test_ls_non_recursive_and_path(sample, capsys):
    assert main(["ls", str(sample)]) == 0
    assert [ln.split()[0] for ln in capsys.readouterr().out.splitlines()] == [
        "/", "/e", "/g", "/s", "/scalar"]
    assert main(["ls", f"{sample}/g"]) == 0
    assert capsys.readouterr().out.split()[0] == "/g"


def test_ls_errors_exit_nonzero(tmp_path, capsys):
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"not hdf5" * 100)
    assert main(["ls", str(bad)]) == 1
    assert "signature" in capsys.readouterr().err
    assert main(["ls", str(tmp_path / "missing.h5")]) == 1
    assert main(["nonesuch"]) == 2


def test_console_entry_point(sample):
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-m", "h5pure.cli", "ls", "-r", str(sample)],
                          capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "/g/data" in proc.stdout
