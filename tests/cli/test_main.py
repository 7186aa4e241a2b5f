"""The ``h5pure`` command: the table of subcommands, ``python -m h5pure``, ``--help`` and
``--version`` everywhere, and bad input (a missing, foreign, truncated file, a filter
without a codec) reported in one line naming the file and the object, exit 2."""

import subprocess
import sys

import pytest
from oracle import tool_env

from h5pure.cli.main import COMMANDS, main
from h5pure.version import version


def run(args, cwd):
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True,
                          text=True, env=tool_env(), check=False, timeout=300)


def test_python_dash_m_h5pure(corpus_dir):
    proc = run(["h5pure", "ls", "-vlr", "misc.h5"], corpus_dir)
    assert proc.returncode == 0, proc.stderr
    assert "/alpha/x                 Dataset {3/3, 10/10}" in proc.stdout
    proc = run(["h5pure.cli", "dump", "-H", "misc.h5"], corpus_dir)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith('HDF5 "misc.h5" {')


def test_commands_table_help_and_version(capsys):
    assert {"ls", "dump"} <= set(COMMANDS)
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in COMMANDS)
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"h5pure {version}"
    assert main([]) == 2
    assert main(["nonesuch"]) == 2
    assert "unknown command 'nonesuch'" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["ls", "dump"])
@pytest.mark.parametrize("flag", ["--help", "--version", "-V"])
def test_every_subcommand_has_help_and_version(command, flag, capsys):
    assert main([command, flag]) == 0
    out = capsys.readouterr().out
    assert (version in out) if flag != "--help" else ("usage:" in out)


@pytest.fixture(scope="module")
def bad_files(corpus_dir):
    (corpus_dir / "foreign.h5").write_bytes(b"not an HDF5 file " * 64)
    data = (corpus_dir / "types.h5").read_bytes()
    (corpus_dir / "truncated.h5").write_bytes(data[:3000])
    return corpus_dir


@pytest.mark.parametrize("command", [["ls", "-r"], ["dump"], ["dump", "--json"]])
@pytest.mark.parametrize(
    "name, message",
    [
        ("missing.h5", "missing.h5: no such file"),
        ("foreign.h5", "foreign.h5: not an HDF5 file h5pure can read (no HDF5 superblock"),
        ("truncated.h5", "truncated.h5: truncated file: eof = 3000,"),
    ],
)
def test_unreadable_files_exit_2_in_one_line(bad_files, monkeypatch, capsys, command, name,
                                             message):
    monkeypatch.chdir(bad_files)
    assert main([*command, name]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"h5pure {command[0]}: {message}")


def test_unknown_filter_subprocess(corpus_dir, h5py):
    pytest.importorskip("hdf5plugin")
    import lsdump_corpus as corpus

    corpus.build_unknown_filter(str(corpus_dir / "unknown_main.h5"), h5py)
    proc = run(["h5pure", "dump", "unknown_main.h5"], corpus_dir)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "h5pure dump: unknown_main.h5: /bz: unknown filter id 307: no codec is registered for it"]
    assert "(0): 0, 1, 2" in proc.stdout  # the rest of the file is still dumped
