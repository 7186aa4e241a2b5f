"""``h5pure ls`` prints what Debian's ``h5ls`` 1.10.8 prints, byte for byte.

Each case runs both tools as subprocesses on the same arguments, in the corpus directory
(``corpus.py``: every datatype class, layout, chunk index, filter, link kind, dense and
creation-ordered groups and attributes, a virtual dataset), one run listing every corpus
file, and compares stdout and the exit code.

Normalisations: none on stdout.  The tools run in one environment without ``COLUMNS``
(h5ls takes its width from it) and with ``TZ=UTC`` (h5ls prints local modification times).
Not compared: the text on stderr (h5pure writes one line ``h5pure ls: <file>: <object>:
<what>``), ``--help``/``--version`` (tested in ``test_main.py``), and the exit code for
files h5pure cannot read (2, by design, where h5ls returns 1: ``test_main.py``).
"""

import pytest
from oracle import assert_same, run_ours, run_theirs

OPTIONS = [
    "-r",
    "",
    "-v",
    "-rvd",
    "-rdl",
    "-rvdS",
    "-g",
    "-f",
    "-w40 -vd",
    "-w 60 -rvdl",
    "-rds",
    "-w0 -rd",
    "--follow-symlinks -rv",
    "-r --follow-symlinks --no-dangling-links",
    "-a",
]


def test_addresses(corpus_dir, oracle_files):
    """``-a`` with ``-v``: raw data addresses and chunk tables, on every corpus dataset but
    one -- h5ls 1.10.8 crashes (SIGSEGV) on a chunked dataset with no chunk written, for
    which h5pure lists the index address as undefined and an empty table."""
    files = [f for f in oracle_files if f != "layouts.h5"]
    assert_same(run_theirs("h5ls", ["-rva", *files], corpus_dir),
                run_ours("ls", ["-rva", *files], corpus_dir), "h5ls -rva")
    import h5py

    with h5py.File(corpus_dir / "layouts.h5", "r") as f:
        names = [n for n in f if n != "empty_chunked"]
    args = ["-va", *(f"layouts.h5/{n}" for n in names)]
    assert_same(run_theirs("h5ls", args, corpus_dir), run_ours("ls", args, corpus_dir),
                "h5ls -va layouts.h5/...")
    ours = run_ours("ls", ["-va", "layouts.h5/empty_chunked"], corpus_dir)
    text = ours.stdout.decode() if isinstance(ours.stdout, bytes) else ours.stdout
    assert "    Address: 18446744073709551615\n" in text
    assert text.rstrip().endswith("==============================")


@pytest.mark.parametrize("options", OPTIONS)
def test_every_corpus_file(corpus_dir, oracle_files, options):
    args = options.split() + oracle_files
    assert_same(run_theirs("h5ls", args, corpus_dir), run_ours("ls", args, corpus_dir),
                f"h5ls {options}")


OBJECTS = [
    "misc.h5/alpha misc.h5/alpha/x links.h5/soft links.h5/external links.h5/group/loop",
    "-r misc.h5/alpha types.h5/compound types.h5/types/committed_cmp attrs.h5/g00",
    "-v misc.h5/alpha/x types.h5/types attrs.h5/d refs.h5/regrefs",
    "-f -g misc.h5/alpha links.h5 misc.h5/",
    "-r misc.h5/ misc.h5//alpha",
    "--follow-symlinks links.h5/soft links.h5/external links.h5/dangling misc.h5/nowhere",
]


@pytest.mark.parametrize("args", OBJECTS)
def test_file_object_arguments(corpus_dir, args):
    assert_same(run_theirs("h5ls", args.split(), corpus_dir),
                run_ours("ls", args.split(), corpus_dir), f"h5ls {args}")


def test_plugin_filters_in_pipeline_order(corpus_dir, plugins_file):
    """Blosc and Zstd (stored names) and scale-offset, shuffle, deflate in order."""
    args = ["-rv", plugins_file]
    assert_same(run_theirs("h5ls", args, corpus_dir), run_ours("ls", args, corpus_dir),
                "h5ls -rv plugins.h5")


def test_values_read_in_passes(corpus_dir):
    args = ["-rd", "large.h5"]
    assert_same(run_theirs("h5ls", args, corpus_dir), run_ours("ls", args, corpus_dir),
                "h5ls -rd large.h5")
