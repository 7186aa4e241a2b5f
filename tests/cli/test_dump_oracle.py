"""``h5pure dump`` writes the DDL Debian's ``h5dump`` 1.10.8 writes, byte for byte.

Each case runs both tools as subprocesses on the same arguments in the corpus directory
(``corpus.py``) and compares stdout, the exit code and, with ``-o``, the file written.
Most cases dump every corpus file in one run.

Normalisations: none on stdout or on ``-o`` files.  The tools run in one environment
without ``COLUMNS`` and with ``TZ=UTC``.  Not compared: the text on stderr (h5pure writes
one line ``h5pure dump: <file>: <object>: <what>``), ``--help``/``--version``
(``test_main.py``), the exit code for files h5pure cannot read (2, by design, where h5dump
returns 1: ``test_main.py``), and ``-b`` output of variable-length strings, on which
h5dump 1.10.8 crashes.  h5dump's own quirks are reproduced, not normalised: ``-n`` dumps
only the first file, the object paths of references are taken from the first file that
needs them, an optional argument (``-A``, ``-n``) takes the next word unless it is the
last.
"""

import pytest
from oracle import assert_same, run_ours, run_theirs

OPTIONS = [
    "",
    "-H",
    "-A",
    "-A 0",
    "-p -H",
    "-R",
    "-e -y",
    "-r",
    "-B -H",
    "-n 1",
    "-w 40",
    "-w 0 -m %.3f",
    "-p -y -w 50",
    "-q creation_order -z descending",
]


@pytest.mark.parametrize("options", OPTIONS)
def test_every_corpus_file(corpus_dir, oracle_files, options):
    args = options.split() + oracle_files
    assert_same(run_theirs("h5dump", args, corpus_dir), run_ours("dump", args, corpus_dir),
                f"h5dump {options}")


OBJECTS = [
    "-d /grid -s 1,2 -c 2,3 -d /grid[1,2;2,2;2,3;1,1] -d /grid -c 2,2 -k 2,2 -S 3,3 refs.h5",
    "-y -d /grid -s 7,8 -d /grid[1,1;;2,2;] -R -d /regrefs -d /pointref -d /objrefs refs.h5",
    "-t /types/committed_cmp -t /types/committed_enum -d /types/uses_committed "
    "-d /num/ints3d -s 0,1,1 -c 2,2,2 -d /compound/table -d /vlen/ints types.h5",
    "-d /nope -g /nope -a /nope -d /mid -a /title -g /alpha -N /alpha/x -N /title "
    "-d alpha/x -N x misc.h5",
    "-l /soft -l /external -g /group -d /data -d /hard_again links.h5",
    "-a /d/cmp -a /d/ref -a /d/vlen_list -p -d /d attrs.h5",
    "-p -d /chunk_partial -d /unallocated -d /external layouts.h5",
    "-r -d /num/u1le -d /num/i1be -e -d /str/vlen_utf8 -d /str/fixed_nullpad_ascii types.h5",
    "-n misc.h5 links.h5",
    "-t /nope -g / -a title -N /soft misc.h5",
]


@pytest.mark.parametrize("args", OBJECTS)
def test_objects_and_subsets(corpus_dir, args):
    assert_same(run_theirs("h5dump", args.split(), corpus_dir),
                run_ours("dump", args.split(), corpus_dir), f"h5dump {args}")


OUTPUTS = [
    "-b LE -d /num/i4be -d /num/f2be -d /str/fixed_nullterm_ascii -d /bitfield/b16be",
    "-b BE -d /num/i4be -d /array/arr -d /num/ints3d -s 0,1,1 -c 2,2,2",
    "-b NATIVE -d /num/f2be -d /str/fixed_nullpad_ascii -d /compound/table -d /enum/big",
    "-b FILE -d /num/f2be -d /num/u8be -d /str/fixed_nullterm_ascii -d /vlen/ints",
    "-d /num/i4be -y -d /num/ints3d -d /compound/table",
]


@pytest.mark.parametrize("args", OUTPUTS)
def test_output_file(corpus_dir, args, tmp_path):
    """``-o F``: the values go to F (binary with ``-b``), the DDL keeps empty DATA blocks."""
    theirs_out, ours_out = tmp_path / "theirs.out", tmp_path / "ours.out"
    theirs = run_theirs("h5dump", ["-o", str(theirs_out), *args.split(), "types.h5"], corpus_dir)
    ours = run_ours("dump", ["-o", str(ours_out), *args.split(), "types.h5"], corpus_dir)
    assert_same(theirs, ours, f"h5dump {args} -o")
    assert ours_out.read_bytes() == theirs_out.read_bytes()


def test_plugin_filters_properties(corpus_dir, plugins_file):
    args = ["-p", "-H", plugins_file]
    assert_same(run_theirs("h5dump", args, corpus_dir), run_ours("dump", args, corpus_dir),
                "h5dump -p -H plugins.h5")


@pytest.mark.parametrize("args", ["", "-y -w 100 -d /rows -s 5,600 -c 100,50 -d /flat"])
def test_values_read_in_passes(corpus_dir, args):
    """Datasets over h5dump's 1 MiB buffer are read and continued in passes."""
    argv = [*args.split(), "large.h5"]
    assert_same(run_theirs("h5dump", argv, corpus_dir), run_ours("dump", argv, corpus_dir),
                f"h5dump {args} large.h5")


@pytest.mark.parametrize("fmt", ["%.2E", "%+8.3f"])
def test_float_formats(corpus_dir, fmt):
    """``-m``: C's printf, non-finite values included (never cut by the precision)."""
    argv = ["-d", "/num/floats2d", "-d", "/num/f4le", "-m", fmt, "types.h5"]
    assert_same(run_theirs("h5dump", argv, corpus_dir), run_ours("dump", argv, corpus_dir),
                f"h5dump -m {fmt}")
