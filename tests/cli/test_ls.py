"""``h5pure ls``: the listing library (``list_objects``) and the command, in-process.

Equality with h5ls itself is ``test_ls_oracle.py``; this module checks what the issue
named as wrong before (filters out of pipeline order, plugin and scale-offset filters
missing, enums shown as ``uint8``, vlen strings/sequences and references as ``object``,
``-d``/``-l``/``-vlr``/``--version`` rejected) and the library's contract.
"""

import pytest

from h5pure.cli import ls
from h5pure.cli.main import main


def listing(args, **options):
    out, err, status = ls.list_objects(args, ls.LsOptions(**options))
    return "".join(out), err, status


def test_recursive_listing_names_every_link(corpus_dir, monkeypatch):
    monkeypatch.chdir(corpus_dir)
    text, _, status = listing(["links.h5"], recursive=True, full=True)
    assert status == 0
    lines = text.splitlines()
    assert [ln.split()[0] for ln in lines] == [
        "/", "/dangling", "/data", "/external", "/external_dangling", "/group",
        "/group/inner", "/group/loop", "/hard_again", "/soft"]
    assert "Soft Link {/nowhere}" in lines[1]
    assert "External Link {links_target.h5//target}" in lines[3]
    assert lines[7].endswith("Group, same as /group")
    assert lines[8].endswith("Dataset, same as /data")


def test_verbose_types_in_h5ls_words(corpus_dir, monkeypatch):
    monkeypatch.chdir(corpus_dir)
    text, _, _ = listing(["types.h5"], recursive=True, full=True, verbose=1)
    assert "enum native signed char {\n                   BLUE             = 42" in text
    assert "variable-length null-terminated UTF-8 string" in text
    assert "6-byte space-padded UTF-8 string" in text
    assert "variable length of\n                   native short" in text
    assert '"pos"              +4    [3] IEEE 64-bit big-endian float' in text
    assert "4-byte opaque type\n               (tag = \"my tag\")" in text
    assert "16-bit big-endian bitfield" in text
    assert "shared-1:" in text  # a committed type, by address
    text, _, _ = listing(["refs.h5"], recursive=True, full=True, verbose=1)
    assert "Type:      object reference" in text
    assert "Type:      dataset region reference" in text


def test_filters_in_pipeline_order_with_their_names(corpus_dir, monkeypatch, h5py):
    pytest.importorskip("hdf5plugin")
    import lsdump_corpus as corpus

    corpus.build_plugins(str(corpus_dir / "plugins_ls.h5"), h5py)
    monkeypatch.chdir(corpus_dir)
    text, _, _ = listing(["plugins_ls.h5"], verbose=1)
    pipeline = text.split("pipeline")[1].split("Type:")[0]
    assert [ln.split()[1].split("-")[0] for ln in pipeline.splitlines() if "Filter-" in ln] == [
        "scaleoffset", "shuffle", "deflate"]
    assert "Filter-0:  blosc-32001 OPT {" in text
    assert "zstd filter" in text and "-32015 OPT {3}" in text


def test_data_labels_and_width(corpus_dir, monkeypatch):
    monkeypatch.chdir(corpus_dir)
    text, _, _ = listing(["wrap.h5/cmp"], data=True, label=True, width=60)
    assert "{alpha=0, beta=0, gamma=\"abcdefghijkl\", " in text
    assert max(len(line) for line in text.splitlines()) <= 60
    text, _, _ = listing(["types.h5/enum/colour"], data=True)
    assert "RED, GREEN, BLUE, GREEN" in text


def test_follow_symlinks_and_dangling_links(corpus_dir, monkeypatch):
    monkeypatch.chdir(corpus_dir)
    text, _, status = listing(["links.h5"], follow_symlinks=True)
    assert status == 0
    assert "Soft Link {/data} {Dataset {5}}" in text
    assert "External Link {links_target.h5//target} {Dataset {4}}" in text
    assert "Soft Link {/nowhere} {**NOT FOUND**}" in text
    _, _, status = listing(["links.h5"], follow_symlinks=True, no_dangling_links=True)
    assert status == 1


def test_object_not_found_is_h5ls_failure(corpus_dir, monkeypatch):
    monkeypatch.chdir(corpus_dir)
    text, _, status = listing(["misc.h5/nowhere"])
    assert status == 1
    assert "**NOT FOUND**" in text


def test_combined_flags_version_and_help(corpus_dir, monkeypatch, capsys):
    monkeypatch.chdir(corpus_dir)
    assert main(["ls", "-vlr", "-w100", "misc.h5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('Opened "misc.h5" with sec2 driver.\n/ ')
    assert main(["ls", "-rd", "--width", "50", "misc.h5/alpha"]) == 0
    assert "Data:" in capsys.readouterr().out
    assert main(["ls", "--version"]) == 0
    assert "h5pure" in capsys.readouterr().out
    assert main(["ls", "-V"]) == 0
    capsys.readouterr()
    assert main(["ls", "--help"]) == 0
    assert "--follow-symlinks" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["-rg", "misc.h5"], ["--no-dangling-links", "misc.h5"],
                                  ["--nonsense", "misc.h5"], []])
def test_bad_usage_exits_2(corpus_dir, monkeypatch, capsys, args):
    monkeypatch.chdir(corpus_dir)
    assert main(["ls", *args]) == 2
    assert capsys.readouterr().err


def test_unknown_filter_data_is_reported_once(corpus_dir, monkeypatch, capsys, h5py):
    pytest.importorskip("hdf5plugin")
    import lsdump_corpus as corpus

    corpus.build_unknown_filter(str(corpus_dir / "unknown_ls.h5"), h5py)
    monkeypatch.chdir(corpus_dir)
    assert main(["ls", "-v", "unknown_ls.h5"]) == 0  # listing does not read data
    capsys.readouterr()
    assert main(["ls", "-d", "unknown_ls.h5"]) == 2
    captured = capsys.readouterr()
    assert "Unable to print data." in captured.out
    assert "0, 1, 2" in captured.out  # the next dataset is still listed
    assert captured.err.splitlines() == [
        "h5pure ls: unknown_ls.h5: /bz: unknown filter id 307: no codec is registered for it"]


def test_fill_value_with_a_second_v(corpus_dir, monkeypatch):
    """``-vv`` adds the fill value (h5ls's second ``-v`` changes nothing; ``-v`` stays
    equal to h5ls's)."""
    monkeypatch.chdir(corpus_dir)
    text, _, _ = listing(["layouts.h5"], verbose=1)
    assert "Fill:" not in text
    text, _, _ = listing(["layouts.h5"], verbose=2)
    partial = text.split("chunk_partial")[1].split("Type:")[0]
    assert "    Fill:      -1, written if set, allocation incremental\n" in partial
    assert "Fill:      default, written if set, allocation late" in text.split("contiguous")[1]
