"""End to end in a real browser: ``h5pure view --no-browser`` on a sample file made at test
time (every dtype, NaN/Inf, strings, enum, bool, compound, complex, references, empty,
a 2-D image, a 4-D stack, NeXus NXdata), driven in Debian's headless Chromium by
Playwright.  Each flow checks what the page shows (DOM text, canvases that are not
blank); screenshots are kept in ``$H5PURE_TEST_ARTIFACTS`` (default
``test-artifacts/viewer/`` at the repository root).

Skipped only when Chromium itself is absent; a missing Playwright or front-end bundle
fails (both come with ``pip install -e ".[test]"``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import h5pure.viewer
from h5pure.testing.viewer_sample import make_sample

CHROMIUM = os.environ.get("H5PURE_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SRC = str(Path(h5pure.viewer.__file__).resolve().parents[2])
ARTIFACTS = Path(os.environ.get("H5PURE_TEST_ARTIFACTS", ROOT / "test-artifacts" / "viewer"))
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage"]

pytestmark = pytest.mark.skipif(
    not (os.path.isfile(CHROMIUM) or shutil.which("chromium")),
    reason=f"Chromium is not installed ({CHROMIUM}); `apt-get install chromium` (.ci/run does)",
)

# Pixels of every canvas on the page, sampled: how many colours, how many not white.
CANVAS_PIXELS = """() => [...document.querySelectorAll('canvas')].map((c) => {
  const t = document.createElement('canvas');
  t.width = c.width; t.height = c.height;
  const ctx = t.getContext('2d');
  ctx.drawImage(c, 0, 0);
  const d = ctx.getImageData(0, 0, t.width, t.height).data;
  const colours = new Set(); let ink = 0;
  for (let i = 0; i < d.length; i += 4 * 5) {
    colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    if (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245) ink++;
  }
  return { width: c.width, height: c.height, colours: colours.size, ink };
})"""


@pytest.fixture(scope="module")
def viewer_url(tmp_path_factory):
    """``h5pure view --no-browser`` on a fresh sample file, as a user would run it."""
    if not h5pure.viewer.bundle_present():
        pytest.fail("the front end is not built: run `pip install -e .` (or `cd webapp && "
                    "npm ci && npm run build`) before the browser tests")
    path = tmp_path_factory.mktemp("browser") / "sample.h5"
    make_sample(path, big=True)
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "h5pure.cli", "view", "--no-browser", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    assert proc.stdout is not None
    m = re.search(r"(http://\S+)", proc.stdout.readline())
    assert m, "h5pure view printed no URL"
    yield m.group(1)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=20)
    assert proc.returncode == 0


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Chromium is installed but Playwright is not: pip install playwright")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, viewer_url, request):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(viewer_url)
    _item(page, "/nD").wait_for()
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    page.close()
    assert not errors, errors


def _item(page, path: str):
    """The explorer's tree item of an HDF5 path."""
    return page.locator(f'[role=treeitem][data-path="{path}"]')


def _open(page, *paths: str) -> None:
    """Click tree items in turn (a group's click expands it)."""
    for path in paths:
        _item(page, path).click()


def _canvas_drawn(page, colours: int = 20, ink: int = 500) -> dict:
    """The largest canvas, once it shows a picture (enough colours and ink: a heatmap has
    many colours, a line plot few)."""
    page.wait_for_function(
        f"() => ({CANVAS_PIXELS})().some((c) => c.colours > {colours} && c.ink > {ink})"
    )
    return max(page.evaluate(CANVAS_PIXELS), key=lambda c: c["width"] * c["height"])


def test_tree_and_metadata(page):
    for path in ("/dtypes", "/entities", "/nD", "/nexus_entry"):
        assert _item(page, path).is_visible()
    assert "NX" in _item(page, "/nexus_entry").inner_text()  # H5Web's NeXus badge
    assert page.get_by_text("sample.h5").first.is_visible()
    _open(page, "/entities", "/entities/dataset")
    page.get_by_text("Inspect", exact=True).click()
    text = page.locator("table").first.inner_text()
    assert "/entities/dataset" in text
    assert "Integer" in text and "32-bit" in text
    assert "5" in text  # shape
    page.wait_for_function("() => document.body.innerText.includes('a plain dataset')")
    assert "note" in page.locator("body").inner_text()


def test_heatmap_of_an_image(page):
    _open(page, "/nD", "/nD/image")
    page.get_by_role("tab", name="Heatmap").wait_for()
    canvas = _canvas_drawn(page)
    assert canvas["colours"] > 50
    body = page.locator("body").inner_text()
    assert "120" in body and "160" in body  # dimension sizes in the mapper
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "h5pure-view-heatmap.png"))


def test_line_plot(page):
    _open(page, "/nD", "/nD/line")
    page.get_by_role("tab", name="Line").wait_for()
    canvas = _canvas_drawn(page, colours=1, ink=50)
    assert canvas["ink"] > 50


def test_change_the_slice_of_a_4d_stack(page):
    _open(page, "/nD", "/nD/stack_4d")
    before = _canvas_drawn(page)
    sliders = page.locator("[role=slider][aria-labelledby]")
    assert sliders.count() == 2  # D0 and D1 are sliced, D2 x D3 shown
    slider = sliders.nth(0)
    assert slider.get_attribute("aria-valuenow") == "0"
    with page.expect_request(lambda r: "/api/data" in r.url and "selection=2" in r.url):
        slider.focus()
        page.keyboard.press("End")  # last index of D0
    page.wait_for_function(
        "() => document.querySelector('[role=slider][aria-labelledby]')"
        ".getAttribute('aria-valuenow') === '2'"
    )
    after = _canvas_drawn(page)
    assert after["colours"] > 20
    assert "2e+3" in page.locator("body").inner_text()  # colour bar: slice 2 starts at 2000
    assert before is not None


def test_nexus_nxdata(page):
    _open(page, "/nexus_entry")
    page.get_by_role("tab", name="NX Heatmap").wait_for()  # the entry's default NXdata
    _canvas_drawn(page)
    body = page.locator("body").inner_text()
    assert "X (mm)" in body or "X" in body
    _open(page, "/nexus_entry/spectrum")
    page.get_by_role("tab", name="NX Line").wait_for()
    _canvas_drawn(page, colours=1, ink=50)
    assert "energy (keV)" in page.locator("body").inner_text()


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("str_vlen_utf8", "héllo"),
        ("str_fixed", "gamma"),
        ("compound", "value"),
        ("enum", "GREEN"),
        ("bool", "true"),
        ("float_nan_inf", "NaN"),
        ("scalar_str", "a scalar string"),
        ("complex_c16", "i"),
        ("int_be_i4", "\u22125.000e+0"),  # big-endian values, decoded (U+2212: minus)
        ("float_be_f8", "\u22122.250e+0"),
    ],
)
def test_dtypes_are_shown(page, name, shown):
    _open(page, "/dtypes", f"/dtypes/{name}")
    matrix = page.get_by_role("tab", name="Matrix")
    if matrix.count():  # numbers are plotted by default: their values are in the matrix
        matrix.click()
    page.wait_for_function(
        "(s) => document.body.innerText.includes(s)",
        arg=shown,
    )


def test_empty_and_references_are_described(page):
    _open(page, "/dtypes", "/dtypes/empty_f4")
    page.get_by_text("Inspect", exact=True).click()
    assert "Empty" in page.locator("table").first.inner_text() or "empty" in (
        page.locator("body").inner_text().lower()
    )
    page.get_by_text("Display", exact=True).click()
    _open(page, "/dtypes/object_refs")
    page.get_by_text("Inspect", exact=True).click()
    assert "Reference" in page.locator("table").first.inner_text()


def test_large_dataset_shown_decimated(page):
    """4096 x 4096 float32 is more than one answer may hold (16 MiB): the heatmap shows
    every 3rd row and column, read with a strided selection, and says so."""
    _open(page, "/nD")
    with page.expect_request(lambda r: "/api/data" in r.url and "path=%2FnD%2Fbig" in r.url) as req:
        _open(page, "/nD/big")
    assert "selection=%3A%3A3%2C%3A%3A3" in req.value.url  # "::3,::3"
    _canvas_drawn(page)
    assert "1366" in page.locator("body").inner_text()  # the decimated shape
    page.get_by_text("Inspect", exact=True).click()
    page.wait_for_function(
        "() => document.body.innerText.includes('1 element in 3 along axis 0, 1 element in 3 along axis 1) of the real shape 4096 x 4096')"
    )


def test_histogram_tool(page):
    """The server's /histogram drawn by H5Web's Histogram component."""
    page.get_by_role("button", name="Histogram").click()
    page.get_by_label("Dataset").fill("/nD/image")
    page.get_by_label("Bins").fill("32")
    with page.expect_response(lambda r: "/api/histogram" in r.url) as resp:
        page.get_by_role("button", name="Show histogram").click()
    assert resp.value.status == 200
    assert len(resp.value.json()["values"]) == 32
    page.get_by_text("19,200 finite values").wait_for()
    bars = page.locator("[data-testid=histogram-tool] svg rect")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=histogram-tool] svg rect').length >= 32"
    )
    assert bars.count() >= 32


def test_plot_y_against_x_tool(page):
    """Any 1-D dataset against another as X, without NeXus markup."""
    page.get_by_role("button", name="Plot Y against X").click()
    page.get_by_label("Y", exact=True).fill("/nD/line")
    page.get_by_label("against X").fill("/nD/x_values")
    page.get_by_role("button", name="Plot", exact=True).click()
    page.get_by_text("/nD/line against /nD/x_values").wait_for()
    tool = page.locator("[data-testid=plot-tool]")
    # the X axis runs to x_values' last value, 30 (its ticks are drawn after the title)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=plot-tool]').innerText.includes('30')",
        timeout=15_000,
    )
    assert "30" in tool.inner_text()
    page.get_by_label("against X").fill("/nD/image")
    page.get_by_role("button", name="Plot", exact=True).click()
    page.get_by_text("/nD/image is not a 1-D dataset").wait_for()
