"""Build the `faces` detector's evaluation and tuning image sets, deterministically and offline.

Only images that installed wheels ship on disk are used; nothing is downloaded (``source``
checks that a ``skimage.data`` loader's files exist before calling it, since a missing file
would be fetched with pooch):

- people: ``skimage.data.lfw_subset()`` (100 real face crops, 25x25 grey, from Labeled Faces in
  the Wild), ``skimage.data.astronaut()`` and ``skimage.data.camera()`` (the cameraman, a 3/4
  profile);
- no people: every other photo ``skimage.data`` ships, the 100 LFW *non-face* patches,
  scikit-learn's ``china.jpg`` and ``flower.jpg`` (``load_sample_image``), text set in Pillow's
  bundled font, drawn shapes and seeded noise.

Kinds (``PEOPLE_PLAN``, ``NONE_PLAN``): single portraits (large and small faces), groups in rows
or scattered, poster collages, the astronaut and the cameraman re-cropped, the astronaut among
LFW faces, heads tilted 12-30 degrees; whole and cropped no-people photos, the cat, textures,
text documents, flyers with shapes and smileys, LFW non-face patches blended in like faces, and
collages of them. Every image gets exposure, noise, blur or grey wear and is saved as JPEG, PNG,
WebP or GIF.

Two splits, built by the same code from disjoint material so that parameters tuned on one say
something about the other:

- ``tune``: 50 of the LFW faces and half of the LFW non-face patches (a seeded permutation), seed
  ``SEEDS["tune"]`` for every crop, position, size, tint and degradation;
- ``eval``: the other 50 faces and the other patches, seed ``SEEDS["eval"]``. The detector's
  parameters are never chosen by looking at this split; it is measured once per version.

The astronaut, the cameraman and the non-people photos appear in both splits, with different
crops, scales and degradations. No face crop is filtered by any detector: every face of a split's
half is used, including the hard ones (tilted, dark, partly turned). Seven LFW "non-face" patches
that visibly show part of a person (an eye and a cheek, a smile, a finger: indices in
``PATCHES_SHOWING_PEOPLE``) were set aside by eye, before any detector ran, so that the
no-people class holds no person.

Every item is rendered from its own RNG (``seed``, kind, number), so a subset (``fraction``)
holds exactly the same images as the full set. Ground truth: ``label`` (``people`` /
``no_people``), ``faces`` (number of faces visible) and ``boxes`` (x, y, w, h of each face as
placed; the astronaut's and cameraman's were marked by hand on the 512x512 originals), committed
as ``tune.manifest.jsonl`` and ``eval.manifest.jsonl`` next to this file.

``eval_image_paths()`` (used by ``benchmarks/detectors.py``) and ``ensure_built()`` build a split
once into a cache folder and reuse it; ``simulated_records()`` gives the simulated district's
photo pool as a separate check; ``measure()`` and ``evaluate()`` compute the numbers reported in
``checks/docs/faces.md``.

Usage::

    python checks/data/faces/build_eval.py [OUT_DIR] [--split eval|tune] [--fraction 0.4]
                                           [--evaluate]
    python checks/data/faces/build_eval.py --simulated 3   # the simulated district's photos
    python checks/data/faces/build_eval.py --manifest      # rewrite the committed manifests
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import sys
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
BUILD_VERSION = 2
SEEDS = {"tune": 71301, "eval": 92417}
POOL_SEED = 20240611  # splits the LFW faces and patches between tune and eval
# lfw_subset() indices (100-199 are the non-face patches) that show part of a person
PATCHES_SHOWING_PEOPLE = frozenset({120, 125, 126, 130, 142, 193, 196})
# faces in the 512x512 originals, marked by hand: x, y, w, h
ASTRONAUT_FACE = (165, 50, 90, 100)
CAMERAMAN_FACE = (180, 95, 85, 105)

PEOPLE_PLAN = (("portrait", 52), ("portrait_small", 15), ("group", 50), ("collage", 15),
               ("astronaut", 18), ("cameraman", 10), ("astronaut_group", 10), ("tilted", 12))
NONE_PLAN = (("photo", 26), ("photo_crop", 50), ("cat", 12), ("texture", 14), ("text_doc", 14),
             ("flyer", 20), ("patch", 25), ("collage_none", 15))
PLAN = PEOPLE_PLAN + NONE_PLAN
PEOPLE_KINDS = frozenset(k for k, _ in PEOPLE_PLAN)

# every non-people photo that loads offline
NONE_SOURCES = ("chelsea", "coffee", "coins", "hubble_deep_field", "horse", "rocket",
                "immunohistochemistry", "retina", "motorcycle_left", "motorcycle_right", "brick",
                "grass", "gravel", "moon", "cell", "clock", "page", "text", "logo", "colorwheel",
                "checkerboard", "shepp_logan_phantom", "microaneurysms", "binary_blobs",
                "china", "flower")
# photos that can stand behind people
SCENES = ("coffee", "rocket", "china", "flower", "motorcycle_left", "motorcycle_right", "brick",
          "grass", "gravel", "chelsea", "coins", "hubble_deep_field", "moon", "clock", "retina")
TEXTURES = ("brick", "grass", "gravel", "moon", "coins", "hubble_deep_field", "cell",
            "immunohistochemistry")
CANVASES = ((800, 600), (600, 800), (1000, 750), (720, 720), (1080, 1350), (1200, 675),
            (1080, 1080), (900, 600), (640, 480), (1280, 960))
SKIN = np.array([(255, 224, 196), (241, 194, 160), (224, 172, 140), (198, 145, 110),
                 (170, 120, 85), (141, 95, 62), (110, 72, 48), (84, 56, 40)], dtype=np.float32)
WORDS = ("Picture day is Tuesday", "Book fair this week", "Science night", "Bus routes updated",
         "Spring concert", "Early release Friday", "Lunch menu", "Robotics club meets",
         "Field trip forms due", "Congratulations seniors", "Parent conferences",
         "Library hours", "Homecoming game", "Canned food drive", "Report cards go home",
         "Enrollment is open", "Weather closure", "Art show", "Math olympiad", "Band camp")


# ---------------------------------------------------------------------------------- sources ----

def _rgb(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype == bool:
        a = a.astype(np.uint8) * 255
    elif a.dtype.kind == "f":
        a = (np.clip(a, 0, 1) * 255).round().astype(np.uint8)
    if a.ndim == 2:
        a = np.stack([a] * 3, axis=-1)
    if a.shape[2] == 4:
        alpha = a[..., 3:4].astype(np.float32) / 255
        a = (a[..., :3] * alpha + 255 * (1 - alpha)).round().astype(np.uint8)
    return np.ascontiguousarray(a[..., :3])


# the file each skimage.data loader reads; a loader whose file is not on disk would fetch it
# with pooch, so ``source`` checks the file first and never calls such a loader
SKIMAGE_FILES: dict[str, str | tuple[str, ...]] = {
    "astronaut": "astronaut.png", "camera": "camera.png", "brick": "brick.png",
    "cell": "cell.png", "chelsea": "chelsea.png", "clock": "clock_motion.png",
    "coffee": "coffee.png", "coins": "coins.png", "colorwheel": "color.png",
    "grass": "grass.png", "gravel": "gravel.png", "horse": "horse.png",
    "hubble_deep_field": "hubble_deep_field.jpg", "immunohistochemistry": "ihc.png",
    "logo": "logo.png", "microaneurysms": "microaneurysms.png", "moon": "moon.png",
    "page": "page.png", "retina": "retina.jpg", "rocket": "rocket.jpg",
    "shepp_logan_phantom": "phantom.png", "text": "text.png", "lfw_subset": "lfw_subset.npy",
    "stereo_motorcycle": ("motorcycle_left.png", "motorcycle_right.png", "motorcycle_disp.npz"),
}
GENERATED = frozenset({"checkerboard", "binary_blobs"})  # computed, no file


class MissingSourceError(RuntimeError):
    """A source image is not shipped by the installed wheels (it would have to be downloaded)."""


def skimage_files(name: str) -> list[Path]:
    """The on-disk files behind ``skimage.data.<name>()``; raises if the wheel lacks one."""
    import importlib.util

    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        raise MissingSourceError("scikit-image is not installed")
    base = Path(next(iter(spec.submodule_search_locations))) / "data"
    files = SKIMAGE_FILES[name]
    paths = [base / f for f in ((files,) if isinstance(files, str) else files)]
    for path in paths:
        if not path.is_file():
            raise MissingSourceError(f"{path} is not shipped by the installed scikit-image; "
                                     "refusing to download it")
    return paths


def _skimage(name: str) -> Any:
    import skimage.data as data

    if name == "binary_blobs":  # random unless seeded
        return data.binary_blobs(length=512, rng=POOL_SEED)
    if name not in GENERATED:
        skimage_files(name)  # the loader below then reads the local file, never the network
    return getattr(data, name)()


@cache
def source(name: str) -> np.ndarray:
    """A shipped photo as RGB uint8."""
    if name in ("china", "flower"):
        from sklearn.datasets import load_sample_image
        return _rgb(load_sample_image(f"{name}.jpg"))
    if name.startswith("motorcycle_"):
        left, right, _ = _skimage("stereo_motorcycle")
        return _rgb(left if name.endswith("left") else right)
    return _rgb(_skimage(name))


@cache
def _lfw() -> np.ndarray:
    return (np.clip(_skimage("lfw_subset"), 0, 1) * 255).round().astype(np.uint8)


@cache
def pools(split: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(face indices, non-face patch indices) of a split; disjoint between splits."""
    rng = np.random.default_rng(POOL_SEED)
    faces = rng.permutation(100)
    patches = rng.permutation([i for i in range(100, 200) if i not in PATCHES_SHOWING_PEOPLE])
    half_f, half_p = len(faces) // 2, len(patches) // 2
    if split == "tune":
        return tuple(sorted(faces[:half_f].tolist())), tuple(sorted(patches[:half_p].tolist()))
    if split == "eval":
        return tuple(sorted(faces[half_f:].tolist())), tuple(sorted(patches[half_p:].tolist()))
    raise ValueError(f"unknown split {split!r}")


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=max(8, int(size)))


# ---------------------------------------------------------------------------------- drawing ----

@dataclass
class Item:
    kind: str
    number: int
    image: Image.Image
    faces: int = 0
    boxes: list[list[int]] = field(default_factory=list)
    source: str = ""

    @property
    def label(self) -> str:
        return "people" if self.kind in PEOPLE_KINDS else "no_people"


def _crop_resize(src: np.ndarray, w: int, h: int, rng: np.random.Generator,
                 min_frac: float = 0.35) -> Image.Image:
    """A random crop of ``src`` with the aspect of (w, h), resized to (w, h)."""
    sh, sw = src.shape[:2]
    aspect = w / h
    max_cw = min(sw, sh * aspect)
    cw = max_cw * rng.uniform(min_frac, 1.0)
    ch = cw / aspect
    x0 = rng.uniform(0, sw - cw)
    y0 = rng.uniform(0, sh - ch)
    img = Image.fromarray(src).crop((int(x0), int(y0), int(x0 + cw), int(y0 + ch)))
    if rng.random() < 0.5:
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return img.resize((w, h), Image.Resampling.BICUBIC)


def _backdrop(w: int, h: int, rng: np.random.Generator) -> tuple[Image.Image, str]:
    """A scene crop (often softened, like a portrait's background) or a studio gradient."""
    if rng.random() < 0.2:
        c0 = rng.integers(30, 220, 3)
        c1 = np.clip(c0 + rng.integers(-80, 80, 3), 0, 255)
        t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
        grad = (c0 * (1 - t) + c1 * t) * np.ones((1, w, 1), np.float32)
        return Image.fromarray(grad.astype(np.uint8)), "gradient"
    name = SCENES[int(rng.integers(len(SCENES)))]
    img = _crop_resize(source(name), w, h, rng)
    if rng.random() < 0.5:  # shallow depth of field, cheaply: down and up again
        f = float(rng.uniform(2, 6))
        img = img.resize((max(8, int(w / f)), max(8, int(h / f))), Image.Resampling.BILINEAR)
        img = img.resize((w, h), Image.Resampling.BICUBIC)
    return img, name


def _tinted(grey: np.ndarray, size: int, rng: np.random.Generator,
            colour: bool = True) -> np.ndarray:
    """An LFW crop (face or patch) scaled to ``size`` and given a skin tone; RGB float."""
    g = Image.fromarray(grey).resize((size, size), Image.Resampling.LANCZOS)
    g = np.asarray(g, dtype=np.float32) / 255
    g = np.clip((g - 0.5) * rng.uniform(0.85, 1.15) + 0.5, 0, 1)
    if not colour:
        return np.repeat(g[..., None] * 255, 3, axis=2)
    tone = SKIN[int(rng.integers(len(SKIN)))] * rng.uniform(0.92, 1.08, 3)
    rel = g / max(float(g.mean()), 0.15)
    return np.clip(tone[None, None, :] * rel[..., None] * rng.uniform(0.85, 1.05), 0, 255)


@cache
def _ellipse_mask(size: int) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    c = (size - 1) / 2
    r = ((xx - c) / (0.49 * size)) ** 2 + ((yy - c) / (0.53 * size)) ** 2
    mask = Image.fromarray(((r <= 1) * 255).astype(np.uint8))
    mask = mask.filter(ImageFilter.GaussianBlur(max(1.0, size * 0.045)))
    return np.asarray(mask, dtype=np.float32) / 255


def _paste(canvas: Image.Image, rgb: np.ndarray, x: int, y: int,
           mask: np.ndarray | None = None) -> None:
    s_h, s_w = rgb.shape[:2]
    region = np.asarray(canvas.crop((x, y, x + s_w, y + s_h)), dtype=np.float32)
    if mask is None:
        region = rgb
    else:
        region = rgb * mask[..., None] + region * (1 - mask[..., None])
    canvas.paste(Image.fromarray(np.clip(region, 0, 255).round().astype(np.uint8)), (x, y))


def _canvas_size(rng: np.random.Generator) -> tuple[int, int]:
    return CANVASES[int(rng.integers(len(CANVASES)))]


def _place(w: int, h: int, sizes: list[int], rng: np.random.Generator,
           gap: float = 0.15) -> list[tuple[int, int]] | None:
    """Non-overlapping positions for squares of ``sizes`` (rejection sampling)."""
    placed: list[tuple[int, int, int]] = []
    for s in sizes:
        for _ in range(300):
            x = int(rng.integers(0, w - s + 1))
            y = int(rng.integers(0, h - s + 1))
            if all(x + s * (1 + gap) <= px or px + ps * (1 + gap) <= x
                   or y + s * (1 + gap) <= py or py + ps * (1 + gap) <= y
                   for px, py, ps in placed):
                placed.append((x, y, s))
                break
        else:
            return None
    return [(x, y) for x, y, _ in placed]


def _rows(w: int, h: int, n: int, s: int, rng: np.random.Generator
          ) -> list[tuple[int, int, int]] | None:
    """A class-photo layout: faces in 1-3 rows, back rows a little smaller and higher."""
    nrows = 1 if n <= 3 else int(rng.integers(1, 4)) if n >= 6 else int(rng.integers(1, 3))
    per_row = [n // nrows + (1 if r < n % nrows else 0) for r in range(nrows)]
    out = []
    y_front = rng.uniform(0.45, 0.7) * h
    for r, count in enumerate(per_row):
        size = int(s * (0.9 ** r) * rng.uniform(0.95, 1.05))
        span = count * size * rng.uniform(1.35, 1.9)
        if span > w * 0.96:
            return None
        x0 = (w - span) / 2 + rng.uniform(-0.5, 0.5) * (w - span) * 0.8
        y = y_front - r * size * rng.uniform(1.2, 1.5)
        for c in range(count):
            sz = int(size * rng.uniform(0.9, 1.1))
            x = x0 + (c + 0.5) * span / count - sz / 2 + rng.uniform(-0.08, 0.08) * size
            yy = y + rng.uniform(-0.1, 0.1) * size
            if x < 0 or yy < 0 or x + sz > w or yy + sz > h:
                return None
            out.append((int(x), int(yy), sz))
    return out


def _people(kind: str, k: int, rng: np.random.Generator, split: str) -> Item:
    faces, _ = pools(split)
    pick = [faces[i] for i in rng.permutation(len(faces))]
    lfw = _lfw()
    colour = rng.random() > 0.08
    if kind in ("portrait", "portrait_small", "group"):
        w, h = _canvas_size(rng)
        if kind == "portrait_small":
            w, h = ((1200, 675), (1280, 960), (1000, 750), (1400, 933))[int(rng.integers(4))]
        canvas, src = _backdrop(w, h, rng)
        short = min(w, h)
        if kind == "portrait":
            layout = [(0, 0, int(short * rng.uniform(0.2, 0.5)))]
        elif kind == "portrait_small":
            layout = [(0, 0, int(short * rng.uniform(0.07, 0.13)))]
        else:
            n = int(rng.integers(2, 9))
            layout = None
            for _ in range(50):
                s = int(short * rng.uniform(0.07, 0.24) * (1.0 if n <= 4 else 0.8))
                if rng.random() < 0.55:
                    layout = _rows(w, h, n, s, rng)
                else:
                    sizes = [int(s * rng.uniform(0.75, 1.25)) for _ in range(n)]
                    spots = _place(w, h, sizes, rng)
                    layout = None if spots is None else [(x, y, z) for (x, y), z in
                                                         zip(spots, sizes, strict=True)]
                if layout is not None:
                    break
            assert layout is not None
        if len(layout) == 1:
            s = layout[0][2]
            layout = [(int(rng.integers(0, w - s + 1)),
                       int(rng.uniform(0.05, 0.6) * (h - s)), s)]
        boxes = []
        for j, (x, y, s) in enumerate(layout):
            _paste(canvas, _tinted(lfw[pick[j]], s, rng, colour), x, y, _ellipse_mask(s))
            boxes.append([x, y, s, s])
        return Item(kind, k, canvas, len(boxes), boxes, src)
    if kind == "collage":
        return _collage(k, rng, [lfw[i] for i in pick], people=True)
    if kind in ("astronaut", "cameraman"):
        name = "astronaut" if kind == "astronaut" else "camera"
        box = ASTRONAUT_FACE if kind == "astronaut" else CAMERAMAN_FACE
        img, b = _variant(source(name), box, rng)
        return Item(kind, k, img, 1, [b], name)
    if kind == "astronaut_group":
        img, b = _variant(source("astronaut"), ASTRONAUT_FACE, rng, crop=False)
        w, h = img.size
        n = int(rng.integers(1, 6))
        s = int(min(w, h) * rng.uniform(0.1, 0.2))
        boxes = [b]
        for j in range(n):
            for _ in range(300):
                sz = int(s * rng.uniform(0.8, 1.2))
                x, y = int(rng.integers(0, w - sz)), int(rng.integers(0, h - sz))
                if all(x + sz * 1.15 <= bx or bx + bw * 1.15 <= x or y + sz * 1.15 <= by
                       or by + bh * 1.15 <= y for bx, by, bw, bh in boxes):
                    break
            else:
                continue
            _paste(img, _tinted(lfw[pick[j]], sz, rng), x, y, _ellipse_mask(sz))
            boxes.append([x, y, sz, sz])
        return Item(kind, k, img, len(boxes), boxes, "astronaut")
    if kind == "tilted":
        return _tilted(k, rng, [lfw[i] for i in pick], colour)
    raise ValueError(kind)


def _tilted(k: int, rng: np.random.Generator, crops: list[np.ndarray], colour: bool) -> Item:
    """1-3 heads tilted sideways (in-plane, 12-30 degrees either way) on a backdrop."""
    w, h = _canvas_size(rng)
    canvas, src = _backdrop(w, h, rng)
    n = int(rng.integers(1, 4))
    sizes = [int(min(w, h) * rng.uniform(0.12, 0.3) / (1 if n == 1 else 1.4)) for _ in range(n)]
    room = [int(s * 1.45) + 2 for s in sizes]  # a square turned by <= 30 degrees fits
    spots = _place(w, h, room, rng)
    if spots is None:
        sizes, room = sizes[:1], room[:1]
        spots = _place(w, h, room, rng)
    assert spots is not None
    boxes = []
    for j, ((x, y), s, r) in enumerate(zip(spots, sizes, room, strict=True)):
        angle = float(rng.choice([-1.0, 1.0]) * rng.uniform(12, 30))
        tile = Image.fromarray(np.clip(_tinted(crops[j], s, rng, colour), 0, 255)
                               .round().astype(np.uint8))
        mask = Image.fromarray((_ellipse_mask(s) * 255).round().astype(np.uint8))
        tile = tile.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
        mask = mask.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
        off_x, off_y = x + (r - tile.width) // 2, y + (r - tile.height) // 2
        _paste(canvas, np.asarray(tile, np.float32), off_x, off_y,
               np.asarray(mask, np.float32) / 255)
        # the face's own square, turned about its centre: same centre and size
        cx, cy = off_x + tile.width / 2, off_y + tile.height / 2
        boxes.append([round(cx - s / 2), round(cy - s / 2), s, s])
    return Item("tilted", k, canvas, len(boxes), boxes, src)


def _variant(src: np.ndarray, box: tuple[int, int, int, int], rng: np.random.Generator,
             crop: bool = True) -> tuple[Image.Image, list[int]]:
    """The astronaut or cameraman rescaled, cropped around the face, flipped, slightly rotated."""
    img = Image.fromarray(src)
    bx, by, bw, bh = (float(v) for v in box)
    if rng.random() < 0.5:
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        bx = img.width - bx - bw
    if rng.random() < 0.3:
        angle = float(rng.uniform(-8, 8))
        img = img.rotate(angle, resample=Image.Resampling.BICUBIC)
        cx, cy = bx + bw / 2 - img.width / 2, by + bh / 2 - img.height / 2
        a = math.radians(angle)  # PIL rotates counter-clockwise; y axis points down
        ncx = cx * math.cos(a) + cy * math.sin(a)
        ncy = -cx * math.sin(a) + cy * math.cos(a)
        bx, by = ncx + img.width / 2 - bw / 2, ncy + img.height / 2 - bh / 2
        m = int(img.width * 0.08)  # cut the black corners
        img = img.crop((m, m, img.width - m, img.height - m))
        bx, by = bx - m, by - m
    if crop and rng.random() < 0.6:
        cw = rng.uniform(max(bw * 1.6, img.width * 0.4), img.width)
        ch = min(img.height, cw * rng.uniform(0.7, 1.3))
        x0 = _span(rng, bx, bw, cw, img.width)
        y0 = _span(rng, by, bh, ch, img.height)
        img = img.crop((int(x0), int(y0), int(x0 + cw), int(y0 + ch)))
        bx, by = bx - int(x0), by - int(y0)
    scale = rng.uniform(400, 1400) / max(img.size)
    img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                     Image.Resampling.LANCZOS)
    return img.convert("RGB"), [round(bx * scale), round(by * scale), round(bw * scale),
                                round(bh * scale)]


def _span(rng: np.random.Generator, b: float, bs: float, c: float, full: int) -> float:
    """Start of a crop of length ``c`` (within ``full``) that keeps [b, b + bs] inside it."""
    lo, hi = max(0.0, b + bs - c), min(b, full - c)
    if hi < lo:  # the face sticks out of the frame (rotation): keep what fits
        lo, hi = sorted((max(0.0, min(lo, full - c)), max(0.0, min(hi, full - c))))
    return float(rng.uniform(lo, hi))


def _collage(k: int, rng: np.random.Generator, tiles: list[np.ndarray], people: bool) -> Item:
    """A poster of framed tiles ("students of the month", "this week in pictures")."""
    w, h = ((1080, 1080), (1200, 900), (1080, 1350), (1000, 750))[int(rng.integers(4))]
    c0 = tuple(int(v) for v in rng.integers(0, 256, 3))
    canvas = Image.new("RGB", (w, h), c0)
    draw = ImageDraw.Draw(canvas)
    title = WORDS[int(rng.integers(len(WORDS)))]
    fg = (255, 255, 255) if sum(c0) < 380 else (20, 20, 20)
    draw.text((w * 0.06, h * 0.04), title, fill=fg, font=_font(h * 0.06))
    n = int(rng.integers(2, 9))
    cols = min(n, int(rng.integers(2, 5)))
    rows = math.ceil(n / cols)
    cell = min(w * 0.88 / cols, h * 0.72 / rows)
    s = int(cell * rng.uniform(0.6, 0.8))
    boxes = []
    names = []
    for j in range(n):
        r, c = divmod(j, cols)
        x = int(w * 0.06 + c * cell + (cell - s) / 2)
        y = int(h * 0.16 + r * cell + (cell - s) / 3)
        border = max(3, s // 25)
        draw.rectangle((x - border, y - border, x + s + border, y + s + border), fill="white")
        if people:
            _paste(canvas, _tinted(tiles[j], s, rng), x, y)
            boxes.append([x, y, s, s])
        elif rng.random() < 0.5:
            _paste(canvas, _tinted(tiles[j], s, rng), x, y)
        else:
            name = NONE_SOURCES[int(rng.integers(len(NONE_SOURCES)))]
            names.append(name)
            _paste(canvas, np.asarray(_crop_resize(source(name), s, s, rng, 0.25),
                                      dtype=np.float32), x, y)
        draw.text((x, y + s + border + 4), WORDS[int(rng.integers(len(WORDS)))][:14],
                  fill=fg, font=_font(max(10, s * 0.1)))
    kind = "collage" if people else "collage_none"
    return Item(kind, k, canvas, len(boxes), boxes, "lfw" if people else ",".join(names))


def _noise_field(w: int, h: int, rng: np.random.Generator) -> Image.Image:
    out = np.zeros((h, w, 3), np.float32)
    for octave in range(4):
        cell = 2 ** (octave + 2)
        small = rng.random((h // cell + 2, w // cell + 2, 3)).astype(np.float32)
        big = Image.fromarray((small * 255).astype(np.uint8)).resize(
            (w + 2 * cell, h + 2 * cell), Image.Resampling.BICUBIC)
        out += np.asarray(big, np.float32)[cell:cell + h, cell:cell + w] / (2 ** octave)
    out = (out - out.min()) / max(1e-6, float(out.max() - out.min())) * 255
    return Image.fromarray(out.astype(np.uint8))


def _star(cx: float, cy: float, r: float, rot: float) -> list[tuple[float, float]]:
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.45
        a = rot + i * math.pi / 5
        pts.append((cx + rr * math.sin(a), cy - rr * math.cos(a)))
    return pts


def _none(kind: str, k: int, rng: np.random.Generator, split: str) -> Item:
    _, patches = pools(split)
    lfw = _lfw()
    if kind == "photo":
        name = NONE_SOURCES[k % len(NONE_SOURCES)]
        img = Image.fromarray(source(name))
        scale = rng.uniform(500, 1300) / max(img.size)
        img = img.resize((round(img.width * scale), round(img.height * scale)),
                         Image.Resampling.LANCZOS)
        return Item(kind, k, img, source=name)
    if kind in ("photo_crop", "cat"):
        name = "chelsea" if kind == "cat" else NONE_SOURCES[int(rng.integers(len(NONE_SOURCES)))]
        src = source(name)
        sh, sw = src.shape[:2]
        frac = rng.uniform(0.45, 0.85) if kind == "cat" else rng.uniform(0.3, 0.85)
        cw, ch = int(sw * frac * rng.uniform(0.8, 1.2)), int(sh * frac * rng.uniform(0.8, 1.2))
        cw, ch = min(cw, sw), min(ch, sh)
        x0, y0 = int(rng.integers(0, sw - cw + 1)), int(rng.integers(0, sh - ch + 1))
        img = Image.fromarray(src).crop((x0, y0, x0 + cw, y0 + ch))
        if rng.random() < 0.5:
            img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        scale = rng.uniform(450, 1300) / max(img.size)
        img = img.resize((round(img.width * scale), round(img.height * scale)),
                         Image.Resampling.LANCZOS)
        return Item(kind, k, img, source=name)
    w, h = _canvas_size(rng)
    if kind == "texture":
        if rng.random() < 0.3:
            return Item(kind, k, _noise_field(w, h, rng), source="noise")
        name = TEXTURES[int(rng.integers(len(TEXTURES)))]
        tile = _crop_resize(source(name), int(rng.integers(160, 400)), int(rng.integers(160, 400)),
                            rng, 0.3)
        t = np.asarray(tile)
        t = np.concatenate([t, t[:, ::-1]], axis=1)
        t = np.concatenate([t, t[::-1]], axis=0)
        reps = (h // t.shape[0] + 1, w // t.shape[1] + 1, 1)
        return Item(kind, k, Image.fromarray(np.tile(t, reps)[:h, :w]), source=name)
    if kind == "text_doc":
        paper = tuple(int(v) for v in rng.integers(200, 256, 3))
        img = Image.new("RGB", (w, h), paper)
        draw = ImageDraw.Draw(img)
        size = h * rng.uniform(0.025, 0.06)
        y = h * 0.06
        draw.text((w * 0.07, y), WORDS[int(rng.integers(len(WORDS)))], fill=(10, 10, 60),
                  font=_font(size * 1.8))
        y += size * 3
        while y < h * 0.9:
            line = " ".join(WORDS[int(i)].lower() for i in rng.integers(0, len(WORDS), 3))
            draw.text((w * 0.07, y), line, fill=(30, 30, 30), font=_font(size))
            y += size * 1.5
        src = "text"
        if rng.random() < 0.4:
            name = ("page", "text")[int(rng.integers(2))]
            inset = Image.fromarray(source(name))
            inset = inset.resize((int(w * 0.5), int(w * 0.5 * inset.height / inset.width)))
            img.paste(inset, (int(w * 0.45), int(h * 0.5)))
            src = f"text,{name}"
        return Item(kind, k, img, source=src)
    if kind == "flyer":
        c0 = rng.integers(0, 256, 3)
        c1 = rng.integers(0, 256, 3)
        t = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
        grad = (c0 * (1 - t) + c1 * t) * np.ones((h, 1, 1), np.float32)
        img = Image.fromarray(grad.astype(np.uint8))
        draw = ImageDraw.Draw(img)
        shapes = []
        for _ in range(int(rng.integers(3, 12))):
            colour = tuple(int(v) for v in rng.integers(0, 256, 3))
            r = float(rng.uniform(0.03, 0.15) * min(w, h))
            cx, cy = float(rng.uniform(r, w - r)), float(rng.uniform(r, h - r))
            shape = ("circle", "rect", "star", "balloon")[int(rng.integers(4))]
            shapes.append(shape)
            if shape == "circle":
                draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
            elif shape == "rect":
                draw.rounded_rectangle((cx - r, cy - r * 0.6, cx + r, cy + r * 0.6),
                                       radius=r * 0.2, fill=colour)
            elif shape == "star":
                draw.polygon(_star(cx, cy, r, float(rng.uniform(0, 1))), fill=colour)
            else:
                draw.ellipse((cx - r * 0.8, cy - r, cx + r * 0.8, cy + r), fill=colour)
                draw.line((cx, cy + r, cx + r * 0.2, cy + r * 3), fill=(60, 60, 60), width=2)
        if rng.random() < 0.35:  # a smiley: a cartoon, not a person
            r = float(rng.uniform(0.08, 0.2) * min(w, h))
            cx, cy = float(rng.uniform(r, w - r)), float(rng.uniform(r, h - r))
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 210, 40),
                         outline=(120, 80, 0), width=max(2, int(r * 0.04)))
            for ex in (-0.35, 0.35):
                draw.ellipse((cx + ex * r - r * 0.1, cy - r * 0.4, cx + ex * r + r * 0.1,
                              cy - r * 0.1), fill=(40, 30, 20))
            draw.arc((cx - r * 0.55, cy - r * 0.3, cx + r * 0.55, cy + r * 0.6), 20, 160,
                     fill=(40, 30, 20), width=max(2, int(r * 0.08)))
            shapes.append("smiley")
        title = WORDS[int(rng.integers(len(WORDS)))]
        draw.text((w * 0.05, h * rng.uniform(0.05, 0.8)), title, fill=(255, 255, 255),
                  font=_font(min(w, h) * rng.uniform(0.05, 0.09)), stroke_width=2,
                  stroke_fill=(0, 0, 0))
        return Item(kind, k, img, source=",".join(sorted(set(shapes))))
    if kind == "patch":
        canvas, src = _backdrop(w, h, rng)
        n = int(rng.integers(1, 5))
        short = min(w, h)
        sizes = [int(short * rng.uniform(0.1, 0.4) / (1 if n == 1 else 1.6)) for _ in range(n)]
        spots = _place(w, h, sizes, rng) or _place(w, h, sizes[:1], rng)
        assert spots is not None
        chosen = [patches[int(i)] for i in rng.permutation(len(patches))[:len(spots)]]
        for (x, y), s, p in zip(spots, sizes, chosen, strict=False):
            _paste(canvas, _tinted(lfw[p], s, rng, rng.random() > 0.3), x, y, _ellipse_mask(s))
        return Item(kind, k, canvas, source=f"{src},lfw-patch")
    if kind == "collage_none":
        return _collage(k, rng, [lfw[patches[int(i)]] for i in rng.permutation(len(patches))],
                        people=False)
    raise ValueError(kind)


def _finish(img: Image.Image, rng: np.random.Generator) -> tuple[bytes, str]:
    """Camera and upload wear: exposure, softness, noise, grey; then JPEG/PNG/WebP/GIF bytes."""
    a = np.asarray(img.convert("RGB"), dtype=np.float32)
    a = (a - 128) * rng.uniform(0.85, 1.15) + 128 + rng.uniform(-20, 20)
    if rng.random() < 0.4:
        a += rng.standard_normal(a.shape, dtype=np.float32) * np.float32(rng.uniform(1, 6))
    img = Image.fromarray(np.clip(a, 0, 255).round().astype(np.uint8))
    if rng.random() < 0.4:
        img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.4, 1.4))))
    if rng.random() < 0.07:
        img = img.convert("L").convert("RGB")
    fmt = rng.choice(["jpg", "png", "webp", "gif"], p=[0.8, 0.1, 0.06, 0.04])
    buf = io.BytesIO()
    if fmt == "jpg":
        img.save(buf, "JPEG", quality=int(rng.integers(55, 96)))
    elif fmt == "png":
        img.save(buf, "PNG", compress_level=1)
    elif fmt == "webp":
        img.save(buf, "WEBP", quality=int(rng.integers(60, 95)))
    else:
        img.quantize(256, dither=Image.Dither.NONE).save(buf, "GIF")
    return buf.getvalue(), str(fmt)


# ------------------------------------------------------------------------------------ build ----

def items(split: str, fraction: float = 1.0) -> Iterator[tuple[dict[str, Any], bytes]]:
    """(manifest record, encoded image) for every item of a split, or the first ``fraction``
    of each kind (the same images as in the full set)."""
    seed = SEEDS[split]
    for kind, count in PLAN:
        kind_key = zlib.crc32(kind.encode("ascii"))  # adding a kind leaves the others unchanged
        for k in range(max(1, math.ceil(count * fraction)) if fraction < 1 else count):
            rng = np.random.default_rng([seed, kind_key, k])
            item = _people(kind, k, rng, split) if kind in PEOPLE_KINDS else _none(kind, k, rng,
                                                                                   split)
            data, ext = _finish(item.image, rng)
            ident = f"fc-{split}-{kind.replace('_', '-')}-{k:03d}"
            yield {"id": ident, "file": f"{ident}.{ext}", "label": item.label,
                   "faces": item.faces, "boxes": item.boxes, "kind": kind,
                   "source": item.source, "width": item.image.width,
                   "height": item.image.height,
                   "sha256": hashlib.sha256(data).hexdigest()}, data


def build(out_dir: str | Path, split: str = "eval", fraction: float = 1.0
          ) -> list[dict[str, Any]]:
    """Write a split's images to ``out_dir``; returns the manifest records (each with ``path``)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    records = []
    for record, data in items(split, fraction):
        path = out / record["file"]
        path.write_bytes(data)
        records.append({**record, "path": str(path)})
    return records


def cache_dir(split: str = "eval", fraction: float = 1.0) -> Path:
    """Where ``ensure_built`` keeps a split: ``$SOCIALAUDIT_FACES_EVAL_DIR`` or the temp dir."""
    base = os.environ.get("SOCIALAUDIT_FACES_EVAL_DIR") or Path(tempfile.gettempdir()) / \
        "socialaudit-faces-eval"
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:10]  # any change: rebuild
    return Path(base) / f"v{BUILD_VERSION}-{code}-{split}-{fraction:g}"


def ensure_built(split: str = "eval", fraction: float = 1.0,
                 out_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """A split's records (with ``path``), built once into ``out_dir`` (default ``cache_dir``)
    and reused while every file is still there with the bytes it was built with."""
    out = Path(out_dir) if out_dir is not None else cache_dir(split, fraction)
    index = out / "records.json"
    if index.is_file():
        try:
            records = json.loads(index.read_text(encoding="utf-8"))
            if records and all(hashlib.sha256(Path(r["path"]).read_bytes()).hexdigest()
                               == r["sha256"] for r in records):
                return records
        except (OSError, ValueError, KeyError, TypeError):
            pass
    records = build(out, split, fraction)
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".records-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(records, fh)
    os.replace(tmp, index)
    return records


def eval_image_paths(split: str = "eval", fraction: float = 1.0) -> list[Path]:
    """The image files of a split (built on first use; see ``ensure_built``)."""
    return [Path(r["path"]) for r in ensure_built(split, fraction)]


def manifest_path(split: str) -> Path:
    return HERE / f"{split}.manifest.jsonl"


def load_manifest(split: str) -> list[dict[str, Any]]:
    with manifest_path(split).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_manifest(split: str) -> Path:
    path = manifest_path(split)
    with path.open("w", encoding="utf-8") as fh:
        for record, _ in items(split):
            fh.write(json.dumps(record, separators=(",", ":")) + "\n")
    return path


# ------------------------------------------------------------------------------- measure ----

def _matches(found: list[list[int]], truth: list[list[int]]) -> tuple[int, int]:
    """(true faces found, extra boxes): a box finds a face if its centre lies in the face's box
    grown by a quarter on each side and its width is 0.4-2.5 times the face's; one box per face."""
    used: set[int] = set()
    for x, y, w, h in found:
        cx, cy = x + w / 2, y + h / 2
        for i, (tx, ty, tw, th) in enumerate(truth):
            if i in used:
                continue
            if (tx - tw / 4 <= cx <= tx + tw * 1.25 and ty - th / 4 <= cy <= ty + th * 1.25
                    and 0.4 <= w / tw <= 2.5):
                used.add(i)
                break
    return len(used), len(found) - len(used)


def bucket(faces: int) -> str:
    """What the consent rule distinguishes: no person, a single person, several."""
    return "none" if faces <= 0 else "one" if faces == 1 else "several"


def measure(records: list[dict[str, Any]], verdicts: list[Any]) -> dict[str, Any]:
    """Image- and face-level numbers of verdicts against manifest records (same order)."""
    people = [(r, v) for r, v in zip(records, verdicts, strict=True) if r["label"] == "people"]
    none = [(r, v) for r, v in zip(records, verdicts, strict=True) if r["label"] != "people"]
    groups = [(r, v) for r, v in people if r["faces"] > 1]
    found = extra = 0
    for r, v in people:
        f, e = _matches(v.details.get("boxes", []), r["boxes"])
        found, extra = found + f, extra + e
    count = lambda pairs, cond: sum(1 for r, v in pairs if cond(r, v))  # noqa: E731
    by_kind: dict[str, list[int]] = {}
    for r, v in zip(records, verdicts, strict=True):
        right = v.flagged == (r["label"] == "people")
        by_kind.setdefault(r["kind"], [0, 0])
        by_kind[r["kind"]][0] += right
        by_kind[r["kind"]][1] += 1
    confusion: dict[str, int] = {}
    for r, v in zip(records, verdicts, strict=True):
        if v.label == "unreadable":
            continue
        key = f"{bucket(r['faces'])}->{bucket(v.details['faces'])}"
        confusion[key] = confusion.get(key, 0) + 1
    readable = sum(confusion.values())
    right = sum(n for key, n in confusion.items() if key.split("->")[0] == key.split("->")[1])
    return {
        "people": len(people), "no_people": len(none), "groups": len(groups),
        "recall": count(people, lambda r, v: v.flagged) / max(1, len(people)),
        "false_people_rate": count(none, lambda r, v: v.flagged) / max(1, len(none)),
        "unreadable": count(people + none, lambda r, v: v.label == "unreadable"),
        "group_exact": count(groups, lambda r, v: v.details["faces"] == r["faces"])
        / max(1, len(groups)),
        "group_within_1": count(groups, lambda r, v: abs(v.details["faces"] - r["faces"]) <= 1)
        / max(1, len(groups)),
        "single_exact": count([(r, v) for r, v in people if r["faces"] == 1],
                              lambda r, v: v.details["faces"] == 1)
        / max(1, sum(1 for r, _ in people if r["faces"] == 1)),
        "faces_true": sum(r["faces"] for r, _ in people), "faces_found": found,
        "extra_boxes_on_people": extra,
        "bucket_accuracy": right / max(1, readable),
        "bucket_confusion": dict(sorted(confusion.items())),
        "by_kind": {k: f"{a}/{b}" for k, (a, b) in by_kind.items()},
        "misses": [r["id"] for r, v in people if not v.flagged],
        "false_people": [r["id"] for r, v in none if v.flagged],
        "count_errors": [(r["id"], r["faces"], v.details["faces"]) for r, v in groups
                         if v.details["faces"] != r["faces"]],
    }


def simulated_records(seed: int = 3, out_dir: str | Path | None = None,
                      names: list[str] | None = None) -> list[dict[str, Any]]:
    """Records for the simulated district's photo pool (``connectors.simulated.images``): the
    photos its posts carry, with the simulator's face counts. A separate check, never tuned on:
    those photos are drawn differently (hair, shirts, flat faces pasted without blending)."""
    from connectors.simulated.images import PhotoPool

    pool = PhotoPool(seed, out_dir if out_dir is not None else cache_dir(f"sim{seed}"))
    out = []
    for spec in pool.specs:
        if names is not None and spec.name not in names:
            continue
        pool.bytes(spec.name)  # renders it into the cache folder
        out.append({"id": spec.name, "path": str(pool.path(spec.name)), "kind": spec.kind,
                    "label": "people" if spec.faces else "no_people", "faces": spec.faces,
                    "boxes": [], "width": spec.width, "height": spec.height})
    return out


def evaluate(records: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    """Run the faces detector (``options`` as ``detector(**options)``) over records; the
    numbers of ``measure`` plus the version and images per second."""
    import time

    from checks.detectors.faces import detector

    det = detector(**options)
    start = time.perf_counter()
    verdicts = det.classify([{"id": r["id"], "path": r["path"]} for r in records])
    seconds = time.perf_counter() - start
    result = measure(records, verdicts)
    result["version"] = det.version
    result["images_per_second"] = round(len(records) / seconds, 2)
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", nargs="?",
                    help="where to write the images (default: a cache under the temp dir)")
    ap.add_argument("--split", choices=sorted(SEEDS), default="eval")
    ap.add_argument("--fraction", type=float, default=1.0)
    ap.add_argument("--manifest", action="store_true",
                    help="rewrite checks/data/faces/{tune,eval}.manifest.jsonl")
    ap.add_argument("--evaluate", action="store_true",
                    help="also run the faces detector on the images and print the numbers")
    ap.add_argument("--simulated", type=int, metavar="SEED",
                    help="evaluate on the simulated district's photo pool for SEED instead")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE.parents[2]))
    if args.manifest:
        for split in SEEDS:
            print(write_manifest(split))
        return 0
    if args.simulated is not None:
        records = simulated_records(args.simulated, args.out_dir)
    elif args.out_dir:
        records = build(args.out_dir, args.split, args.fraction)
    else:
        records = ensure_built(args.split, args.fraction)
    people = sum(r["label"] == "people" for r in records)
    where = Path(records[0]["path"]).parent if records else args.out_dir
    print(f"{len(records)} images ({people} people, {len(records) - people} no people) "
          f"in {where}")
    if args.evaluate or args.simulated is not None:
        print(json.dumps(evaluate(records), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
