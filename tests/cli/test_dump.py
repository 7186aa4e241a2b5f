"""``h5pure dump``: the DDL library (``dump_ddl``), h5dump's command line, ``-o``/``-b``.

Equality with h5dump itself is ``test_dump_oracle.py``; this module checks the library's
contract and the parsing of h5dump's options in-process.
"""

import numpy as np
import pytest

import h5pure
from h5pure.cli import dump as dump_cmd
from h5pure.cli.binary import element_bytes
from h5pure.cli.ddl import DumpOptions, Request, dump_ddl
from h5pure.cli.dump import UsageError, parse_args
from h5pure.cli.main import main
from h5pure.inspect import FixedPointType, StringPadding, StringType


def ddl(path, **options):
    with h5pure.File(path, "r") as f:
        return dump_ddl(f, path.name, DumpOptions(**options))


def test_dump_ddl_whole_file(corpus_dir):
    text, errors, status = ddl(corpus_dir / "misc.h5")
    assert status == 0 and errors == []
    assert text.startswith('HDF5 "misc.h5" {\nGROUP "/" {\n   ATTRIBUTE "title" {\n')
    assert '      DATASET "x" {\n         DATATYPE  H5T_IEEE_F64LE\n' in text
    assert "(1,0): 10, 11, 12" in text
    assert text.endswith("}\n}\n")


def test_dump_ddl_header_properties_and_subset(corpus_dir):
    text, _, _ = ddl(corpus_dir / "misc.h5", header_only=True, properties=True)
    assert "DATA {" not in text
    assert "CHUNKED ( 3, 3 )" in text
    # the pipeline in order, as h5dump writes it
    filters = text.split('DATASET "btree_v1"')[1].split("FILLVALUE")[0]
    assert filters.index("SHUFFLE") < filters.index("DEFLATE") < filters.index("FLETCHER32")
    text, _, _ = ddl(corpus_dir / "refs.h5", requests=[
        Request("dataset", "/grid", dump_cmd.Subset([1, 2], [1, 1], [2, 3], [1, 1]))])
    assert "START ( 1, 2 );" in text and "(2,2): 22, 23, 24" in text


def test_dump_ddl_missing_object_is_h5dump_failure(corpus_dir):
    text, errors, status = ddl(corpus_dir / "misc.h5", requests=[Request("dataset", "/nope")])
    assert status == 1
    assert text == 'HDF5 "misc.h5" {\n}\n'
    assert errors == ['misc.h5: unable to get link info from "/nope"']


def test_references_and_regions(corpus_dir):
    text, _, _ = ddl(corpus_dir / "refs.h5", region=True, requests=[
        Request("dataset", "/objrefs"), Request("dataset", "/regrefs")])
    assert 'DATASET 800 "/grid"' in text and 'GROUP 1400 "/grp"' in text and "NULL" in text
    assert "REGION_TYPE BLOCK  (0,0)-(0,9), (4,0)-(4,9), (9,0)-(9,9)" in text
    assert "            12, 13, 14,\n            22, 23, 24\n" in text


@pytest.mark.parametrize(
    "argv, check",
    [
        (["-pH", "f.h5"], lambda p: p.opts.properties and p.opts.header_only),
        (["-A0", "f.h5"], lambda p: not p.opts.attributes and not p.opts.attributes_only),
        (["-A", "0", "f.h5"], lambda p: not p.opts.attributes),
        (["-A", "f.h5"], lambda p: p.opts.attributes_only and p.files == ["f.h5"]),
        (["-n1", "f.h5"], lambda p: p.opts.contents == 1),
        (["--contents", "f.h5"], lambda p: p.opts.contents == 0),
        (["--dataset=/a/b", "f.h5"], lambda p: p.opts.requests[0].path == "/a/b"),
        (["-d", "/x[1,2;;3,4;]", "f.h5"],
         lambda p: vars(p.opts.requests[0].subset) == {"start": [1, 2], "stride": [],
                                                        "count": [3, 4], "block": []}),
        (["-d", "/x", "-s", "1,2", "-c", "3,4", "f.h5"],
         lambda p: p.opts.requests[0].subset.count == [3, 4]),
        (["-w", "0", "f.h5"], lambda p: p.opts.columns == 65535),
        (["-m", "%.2f", "f.h5"], lambda p: p.opts.columns == 0),
        (["-b", "LE", "-o", "out", "f.h5"], lambda p: (p.binary, p.output) == ("LE", "out")),
        (["-o", "out", "f.h5"], lambda p: p.output == "out" and p.binary is None),
        (["-q", "creation_order", "-z", "descending", "f.h5"],
         lambda p: p.opts.sort_by_creation and p.opts.descending),
        (["--json", "-H", "f.h5"], lambda p: p.json and p.opts.header_only),
    ],
)
def test_h5dump_command_line(argv, check):
    assert check(parse_args(argv))


@pytest.mark.parametrize("argv", [["-s", "1", "f.h5"], ["-Z", "f.h5"], ["-d"],
                                  ["-q", "size", "f.h5"], ["-b", "XX", "-o", "o", "f.h5"]])
def test_bad_command_lines(argv):
    with pytest.raises(UsageError):
        parse_args(argv)


def test_usage_errors_exit_2(capsys):
    assert main(["dump"]) == 2
    assert main(["dump", "-s", "1", "f.h5"]) == 2
    assert main(["dump", "-b", "LE", "f.h5"]) == 2
    capsys.readouterr()
    assert main(["dump", "--help"]) == 0
    assert "--json" in capsys.readouterr().out
    assert main(["dump", "-V"]) == 0
    assert "h5pure" in capsys.readouterr().out


def test_binary_forms():
    i4 = FixedPointType(1, 4, signed=True, precision=32)
    assert element_bytes(i4, -3, "LE") == (-3).to_bytes(4, "little", signed=True)
    assert element_bytes(i4, -3, "BE") == (-3).to_bytes(4, "big", signed=True)
    s = StringType(1, 6, padding=StringPadding.NULLTERM)
    assert element_bytes(s, b"ab", "NATIVE") == b"ab"
    s = StringType(1, 6, padding=StringPadding.NULLPAD)
    assert element_bytes(s, b"ab", "NATIVE") == b"ab\0\0\0\0"


def test_output_file_takes_the_values(corpus_dir, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(corpus_dir)
    out = tmp_path / "values.bin"
    assert main(["dump", "-d", "/num/i4be", "-b", "BE", "-o", str(out), "types.h5"]) == 0
    assert out.read_bytes() == np.arange(-3, 3, dtype=">i4").tobytes()
    assert "   DATA {\n   }\n" in capsys.readouterr().out
