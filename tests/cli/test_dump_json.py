"""``h5pure dump --json``: the structure documented in ``docs/dump_json.md``, with the
values h5py reads as the oracle."""

import json
import math

import numpy as np
import pytest

import h5pure
from h5pure.cli.ddl import Request
from h5pure.cli.dumpjson import SCHEMA_VERSION, dump_json
from h5pure.cli.main import main


def document(path, **kwargs):
    with h5pure.File(path, "r") as f:
        return dump_json(f, path.name, **kwargs)


def walk(obj):
    yield obj
    for link in obj.get("links", []):
        if link["kind"] == "hard" and "hardlink" not in link["object"]:
            yield from walk(link["object"])


def by_path(doc):
    return {o["path"]: o for o in walk(doc["root"])}


def test_document_head_and_group_tree(corpus_dir):
    doc = document(corpus_dir / "links.h5")
    assert (doc["format"], doc["version"], doc["file"]) == ("h5pure-dump", SCHEMA_VERSION,
                                                            "links.h5")
    assert doc["superblock"]["version"] == 0
    root = doc["root"]
    assert root["kind"] == "group" and root["path"] == "/"
    links = {link["name"]: link for link in root["links"]}
    assert links["soft"] == {"name": "soft", "kind": "soft", "target": "/data"}
    assert links["external"] == {"name": "external", "kind": "external",
                                 "file": "links_target.h5", "target": "/target"}
    assert links["hard_again"]["object"]["hardlink"] == "/data"
    loop = [x for x in links["group"]["object"]["links"] if x["name"] == "loop"][0]
    assert loop["object"]["hardlink"] == "/group"


def test_types_and_values_match_h5py(corpus_dir, h5py):
    doc = by_path(document(corpus_dir / "types.h5"))
    with h5py.File(corpus_dir / "types.h5", "r") as f:
        assert doc["/num/i2be"]["type"] == {"class": "integer", "size": 2, "order": "BE",
                                            "signed": True, "precision": 16, "offset": 0}
        assert doc["/num/i2be"]["data"] == f["num/i2be"][()].tolist()
        floats = doc["/num/floats2d"]["data"]
        assert floats[0] == f["num/floats2d"][0].tolist()
        assert floats[1][1:] == ["inf", "nan"]
        assert doc["/num/scalar"]["data"] == 3.25 and doc["/num/scalar"]["shape"] == []
        assert doc["/num/null"]["data"] is None and doc["/num/null"]["shape"] is None
        assert doc["/num/zero"]["data"] == []
        colour = doc["/enum/colour"]
        assert colour["type"]["members"] == [["BLUE", 42], ["GREEN", 1], ["RED", 0]]
        assert colour["data"] == ["RED", "GREEN", "BLUE", "GREEN"]
        assert doc["/str/vlen_utf8"]["data"] == [s.decode() for s in f["str/vlen_utf8"][()]]
        assert doc["/str/fixed_nullpad_ascii"]["data"] == ["ab", "abcdef", "a\nb"]
        assert doc["/str/fixed_nullpad_ascii"]["type"]["padding"] == "nullpad"
        table = doc["/compound/table"]
        assert [m["name"] for m in table["type"]["members"]] == ["id", "pos", "name", "inner"]
        assert table["data"][2] == {"id": 3, "pos": [1.5, 1.75, 2.0], "name": "three",
                                    "inner": {"a": 9, "b": 2.5}}
        assert doc["/array/of_arrays"]["data"] == f["array/of_arrays"][()].tolist()
        assert doc["/vlen/ints"]["data"] == [[1, 2, 3], [], [-4]]
        assert doc["/opaque/tagged"]["data"] == ["01000000", "02000000"]
        assert doc["/opaque/tagged"]["type"]["tag"] == "my tag"
        assert doc["/types/uses_committed"]["type"]["committed"] == "/types/committed_cmp"
        assert doc["/types/committed_cmp"]["kind"] == "datatype"


def test_storage_filters_in_pipeline_order(corpus_dir, monkeypatch):
    monkeypatch.chdir(corpus_dir)  # the external raw data file is named relative to it
    doc = by_path(document(corpus_dir / "layouts.h5"))
    st = doc["/shuffle_gzip_fletcher"]["storage"]
    assert [f["name"] for f in st["filters"]] == ["shuffle", "deflate", "fletcher32"]
    assert st["filters"][1] == {"id": 1, "name": "deflate", "optional": True,
                                "client_data": [4]}
    assert (st["layout"], st["chunks"], st["chunk_index"]) == ("chunked", [5, 5], "fixed_array")
    assert doc["/chunk_earray"]["storage"]["chunk_index"] == "extensible_array"
    assert doc["/chunk_btree2"]["storage"]["chunk_index"] == "btree_v2"
    assert doc["/chunk_implicit"]["storage"]["chunk_index"] == "implicit"
    assert doc["/chunk_partial"]["storage"]["fill_value"] == -1.0
    assert doc["/external"]["storage"]["external"] == [
        {"file": "layouts_ext.bin", "offset": 0, "size": 40}]
    assert doc["/chunk_earray"]["maxshape"] == [None, 10]


def test_references_name_their_targets(corpus_dir):
    doc = by_path(document(corpus_dir / "refs.h5"))
    assert doc["/objrefs"]["data"] == [{"path": "/grid"}, {"path": "/grp"}, None]
    regions = doc["/regrefs"]["data"]
    assert regions[0] == {"path": "/grid", "selection": {
        "kind": "hyperslabs", "blocks": [[[1, 2], [2, 4]]]}}
    assert regions[2]["selection"] == {"kind": "all"}
    assert doc["/pointref"]["data"][0]["selection"] == {
        "kind": "points", "points": [[0, 0], [5, 5], [9, 1]]}


def test_virtual_dataset(corpus_dir, monkeypatch):
    monkeypatch.chdir(corpus_dir)
    doc = by_path(document(corpus_dir / "vds.h5"))
    vds = doc["/vds"]
    assert vds["storage"]["layout"] == "virtual"
    assert [m["file"] for m in vds["storage"]["virtual"]] == [
        "vds_src0.h5", "vds_src1.h5", "vds_src2.h5"]
    assert vds["data"] == [[0] * 6, [1] * 6, [2] * 6]


def test_header_only_objects_and_no_attributes(corpus_dir):
    doc = document(corpus_dir / "attrs.h5", header_only=True, attributes=False)
    assert all("data" not in o for o in walk(doc["root"]))
    assert all(o.get("attributes", []) == [] for o in walk(doc["root"]))
    doc = document(corpus_dir / "attrs.h5", requests=[
        Request("attribute", "/d/float"), Request("dataset", "/d"), Request("group", "/nope")])
    attr, dset, missing = doc["objects"]
    assert attr == {"kind": "attribute", "path": "/d/float", "name": "float",
                    "type": attr["type"], "shape": [], "data": 2.5}
    assert dset["kind"] == "dataset" and {a["name"] for a in dset["attributes"]} >= {"ref", "cmp"}
    assert missing == {"path": "/nope", "error": "not found"}


def test_command_writes_one_json_line(corpus_dir, monkeypatch, capsys):
    monkeypatch.chdir(corpus_dir)
    assert main(["dump", "--json", "-H", "misc.h5"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert json.loads(out)["root"]["links"][0]["name"] == "alpha"
    assert main(["dump", "--json", "-d", "/nope", "misc.h5"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["objects"] == [{"path": "/nope", "error": "not found"}]
    assert "misc.h5: /nope: not found" in captured.err


@pytest.mark.parametrize("value", [0.5, -0.0, 1e300])
def test_float_values_survive_json(value, tmp_path, h5py):
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f["x"] = np.array([value])
    got = by_path(json.loads(json.dumps(document(path))))["/x"]["data"][0]
    assert got == value and math.copysign(1, got) == math.copysign(1, value)


def test_unreadable_values_are_named(corpus_dir, monkeypatch, capsys, h5py):
    pytest.importorskip("hdf5plugin")
    import lsdump_corpus as corpus

    corpus.build_unknown_filter(str(corpus_dir / "unknown_json.h5"), h5py)
    monkeypatch.chdir(corpus_dir)
    assert main(["dump", "--json", "unknown_json.h5"]) == 2
    captured = capsys.readouterr()
    doc = by_path(json.loads(captured.out))
    assert doc["/bz"]["data"] is None and "307" in doc["/bz"]["error"]
    assert doc["/ok"]["data"] == [0, 1, 2]
    assert captured.err.splitlines() == [
        "h5pure dump: unknown_json.h5: /bz: unknown filter id 307: no codec is registered for it"]
