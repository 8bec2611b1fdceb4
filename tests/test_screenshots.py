"""scripts/tensorboard_screenshots.py renders real TensorBoard dashboards with headless Chromium.

The PNGs are parsed with the standard library only (signature, IHDR, zlib-inflated IDAT,
scanline filters undone) so the checks look at pixels: TensorBoard's orange header, and in the
chart area the curves of both runs (scalars) or the blue histogram fills (histograms).
Skipped, with the reason, when Chromium is not installed (``apt-get install -y chromium``).
"""

import collections
import functools
import os
import shutil
import struct
import subprocess
import sys
import zlib

import pytest

pytestmark = pytest.mark.slow  # starts servers, browsers or the other leg's processes

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(REPO, "scripts", "tensorboard_screenshots.py")
CHROMIUM = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM, reason="chromium is not installed (apt-get install -y chromium): no screenshots")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HEADER_ORANGE = (245, 124, 0)  # TensorBoard's top bar
EVAL_ORANGE, TRAIN_BLUE = (255, 112, 67), (0, 119, 187)  # TensorBoard 1.12's first two run colours
CHART_AREA = (330, 170)  # x, y from which the dashboards' cards are drawn (left of it: the side panel)

Image = collections.namedtuple("Image", "width height pixel")


@functools.lru_cache(maxsize=None)
def read_png(path):
    """Decodes an 8-bit RGB or RGBA, non-interlaced PNG with the standard library.

    Returns:
        ``Image`` whose ``pixel(x, y)`` is an ``(r, g, b)`` tuple.
    """
    with open(path, "rb") as png:
        data = png.read()
    assert data[:8] == PNG_SIGNATURE, "not a PNG: {!r}".format(data[:8])
    position, header, idat = 8, None, []
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        assert zlib.crc32(kind + body) & 0xffffffff == struct.unpack(
            ">I", data[position + 8 + length:position + 12 + length])[0], kind
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        position += 12 + length
        if kind == b"IEND":
            break
    width, height, depth, colour_type, _, _, interlace = header
    assert (depth, colour_type, interlace) in [(8, 2, 0), (8, 6, 0)], header
    bpp = 3 if colour_type == 2 else 4
    rows = _unfilter(zlib.decompress(b"".join(idat)), width * bpp, height, bpp)
    return Image(width, height,
                 lambda x, y: tuple(rows[y][x * bpp:x * bpp + 3]))


def _unfilter(raw, stride, height, bpp):
    """Undoes the PNG scanline filters (None, Sub, Up, Average, Paeth) of ``raw``."""
    assert len(raw) == height * (stride + 1), "IDAT holds {} bytes".format(len(raw))
    previous, rows = bytearray(stride), []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, previous))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = previous[i], (previous[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        else:
            assert kind == 0, "unknown filter {} in row {}".format(kind, y)
        rows.append(line)
        previous = line
    return rows


def colours(image, x0=0, y0=0):
    """Counter of the pixel colours of the region right of ``x0`` and below ``y0``."""
    return collections.Counter(image.pixel(x, y) for y in range(y0, image.height)
                               for x in range(x0, image.width))


def near(counter, colour, tolerance=3):
    """How many pixels of ``counter`` are within ``tolerance`` of ``colour`` in every channel."""
    return sum(n for c, n in counter.items() if all(abs(a - b) <= tolerance for a, b in zip(c, colour)))


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    """Runs the script once: trains breast_cancer for 210 steps into a logdir, then screenshots."""
    tmp = tmp_path_factory.mktemp("screenshots")
    logdir, out_dir = tmp / "summary", tmp / "out"
    proc = subprocess.run(
        [sys.executable, SCRIPT, "--logdir", str(logdir), "--out_dir", str(out_dir),
         "--train", os.path.join(REPO, "configs", "breast_cancer.yaml"), "--max_step", "210"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, cwd=str(tmp),
        timeout=300)
    assert proc.returncode == 0, proc.stderr
    return logdir, out_dir, proc


@needs_chromium
def test_prints_the_paths_of_both_images(screenshots):
    logdir, out_dir, proc = screenshots
    expected = [str(out_dir / "scalars.png"), str(out_dir / "histograms.png")]
    assert proc.stdout.split() == expected
    runs = sorted(os.listdir(str(logdir)))
    assert len(runs) == 1 and sorted(os.listdir(str(logdir / runs[0]))) == ["eval", "train"]


@needs_chromium
@pytest.mark.parametrize("name", ["scalars", "histograms"])
def test_images_are_1280x900_tensorboard_renderings(screenshots, name):
    _, out_dir, _ = screenshots
    image = read_png(str(out_dir / (name + ".png")))
    assert (image.width, image.height) == (1280, 900)
    header_row = [image.pixel(x, 10) for x in range(image.width)]
    assert header_row.count(HEADER_ORANGE) > 0.9 * image.width  # TensorBoard's bar, not an error page
    assert len(colours(image)) > 500  # a rendering, not a blank page


@needs_chromium
def test_scalars_show_the_train_and_eval_curves(screenshots):
    _, out_dir, _ = screenshots
    chart = colours(read_png(str(out_dir / "scalars.png")), *CHART_AREA)
    assert near(chart, EVAL_ORANGE) > 100, "no eval curve"
    assert near(chart, TRAIN_BLUE) > 50, "no train curve"


@needs_chromium
def test_histograms_show_filled_histograms(screenshots):
    _, out_dir, _ = screenshots
    chart = colours(read_png(str(out_dir / "histograms.png")), *CHART_AREA)
    # Fills in the run's colour, whichever TensorBoard gave it (it depends on which runs the
    # page knew when it loaded): many saturated shades, more than a run's label badge holds.
    fills = {c: n for c, n in chart.items() if max(c[:3]) - min(c[:3]) > 80}
    assert len(fills) > 50 and sum(fills.values()) > 3000, "no histogram fills"
    # In one of the two run colours: TensorBoard colours runs in the order its page learnt them.
    assert near(chart, TRAIN_BLUE) + near(chart, EVAL_ORANGE) > 500


def test_missing_chromium_is_one_line_and_exit_1(tmp_path):
    proc = subprocess.run([sys.executable, SCRIPT, "--logdir", str(tmp_path), "--out_dir",
                           str(tmp_path / "out"), "--chromium", str(tmp_path / "no-chromium")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "tensorboard_screenshots: error: chromium not found ({}): install it with "
        "apt-get install chromium".format(tmp_path / "no-chromium")]
    assert not (tmp_path / "out").exists()
