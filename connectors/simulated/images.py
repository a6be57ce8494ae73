"""Real JPEG photos for the simulated district, built offline from scikit-image's sample data.

A pool of ~60 distinct photos is specified deterministically from the seed (``pool_specs``) and
rendered on demand (``PhotoPool``), then cached on disk under ``<cache_dir>/photos-seed<seed>/``.
Media items of the world point at pool photos; the same photo is reused by many posts, so the
world generator never renders anything.

Kinds of photo and how they are built:
- ``group`` (3-8 people) and ``pair`` (2): faces from ``skimage.data.lfw_subset()`` (real face
  crops, 25x25) scaled up, tinted, given hair and a shirt, placed on a gym, classroom, shop,
  stage or outdoor background. Only face crops that skimage's own LBP frontal-face cascade finds
  reliably are used, so ``faces`` (the number placed) is what a reasonable detector can see.
- ``single_student``: one face, large, centred: the policy's "photo of an individual student".
- ``single_adult``: ``astronaut()`` or ``camera()`` (a guest speaker, a photographer): one
  person, not a student.
- ``no_people``: crops of ``coffee``, ``chelsea``, ``cat``, ``rocket``, ``coins``,
  ``hubble_deep_field``, ``horse``, ``brick``, ``grass``, ``gravel``, ``moon``, ``retina``,
  ``stereo_motorcycle``, ``immunohistochemistry``, ``clock``, ``colorwheel``, ``logo``, and
  flyers made from ``page``/``text``.

Only sample data shipped inside the scikit-image wheel is used (nothing is downloaded).
"""

from __future__ import annotations

import io
import json
import os
import random
import tempfile
import threading
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

POOL_VERSION = 1

# lfw_subset() face crops (indices 0-99 are faces) that the LBP frontal-face cascade detects
# exactly once when scaled to 64 and 96 pixels.
GOOD_FACES = (
    2, 3, 6, 7, 8, 9, 12, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 25, 26, 28, 29, 31, 32, 33, 34,
    35, 36, 38, 40, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 63, 64,
    65, 66, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 80, 81, 83, 84, 87, 88, 90, 91, 92, 93,
    94, 95, 99,
)
NO_PEOPLE_SOURCES = (
    "coffee", "chelsea", "cat", "rocket", "coins", "hubble_deep_field", "horse", "brick", "grass",
    "gravel", "moon", "retina", "stereo_motorcycle", "immunohistochemistry", "clock",
    "colorwheel", "logo", "flyer", "flyer_text", "cell",
)
BACKGROUNDS = ("gym", "classroom", "outdoor", "shop", "stage")
SKIN_TONES = ((1.0, 0.86, 0.74), (0.98, 0.80, 0.66), (0.86, 0.66, 0.50), (0.70, 0.52, 0.38),
              (0.55, 0.40, 0.30), (1.0, 0.90, 0.80))
HAIR = ((40, 28, 20), (20, 18, 18), (110, 75, 40), (190, 150, 90), (70, 45, 30), (140, 60, 30))
SHIRTS = ((30, 60, 150), (150, 30, 40), (240, 200, 40), (30, 120, 60), (90, 90, 90),
          (240, 240, 240), (100, 40, 130), (230, 120, 30))


@dataclass(frozen=True)
class PhotoSpec:
    """One photo of the pool: what it shows and how to build it."""

    name: str  # stable key, e.g. "p07-group-5"
    kind: str  # group | pair | single_student | single_adult | no_people
    faces: int  # people whose faces are visible (as placed)
    width: int
    height: int
    source: str  # background / sample-data name
    recipe: int  # per-photo random seed

    @property
    def people(self) -> bool:
        return self.faces > 0


def pool_specs(seed: int) -> tuple[PhotoSpec, ...]:
    """The pool for ``seed``: 22 group, 6 pair, 8 single-student, 2 single-adult, 20 no-people."""
    rng = random.Random(f"photos:{seed}")
    specs: list[PhotoSpec] = []

    def add(kind: str, faces: int, w: int, h: int, source: str) -> None:
        idx = len(specs)
        label = f"{kind.replace('_', '-')}" + (f"-{faces}" if kind in ("group", "pair") else "")
        specs.append(PhotoSpec(f"p{idx:02d}-{label}", kind, faces, w, h, source,
                               rng.randrange(1 << 30)))

    for _ in range(22):
        add("group", rng.randint(3, 8), 960, 640, rng.choice(BACKGROUNDS))
    for _ in range(6):
        add("pair", 2, 960, 640, rng.choice(BACKGROUNDS))
    for _ in range(8):
        add("single_student", 1, 720, 720, rng.choice(("classroom", "outdoor", "stage", "gym")))
    add("single_adult", 1, 640, 640, "astronaut")
    add("single_adult", 1, 640, 640, "camera")
    for source in NO_PEOPLE_SOURCES:
        add("no_people", 0, 800, 600, source)
    return tuple(specs)


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _faces() -> np.ndarray:
    from skimage import data

    return data.lfw_subset()[:100]


def _sample(name: str) -> np.ndarray:
    from skimage import data

    if name == "stereo_motorcycle":
        return data.stereo_motorcycle()[0]
    return getattr(data, name)()


def _to_rgb(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == bool:
        arr = np.where(arr, 235, 40).astype(np.uint8)
    if arr.dtype != np.uint8:
        lo, hi = float(arr.min()), float(arr.max())
        arr = ((arr - lo) / (hi - lo + 1e-9) * 255).astype(np.uint8)
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    if arr.shape[2] == 4:
        alpha = arr[..., 3:4].astype(np.float32) / 255.0
        arr = (arr[..., :3] * alpha + 255 * (1 - alpha)).astype(np.uint8)
    return arr


def _background(kind: str, w: int, h: int, rng: random.Random) -> Image.Image:
    img = Image.new("RGB", (w, h))
    draw = ImageDraw.Draw(img)
    if kind == "outdoor":
        for y in range(h // 2):
            t = y / (h / 2)
            draw.line([(0, y), (w, y)], fill=(int(120 + 80 * t), int(170 + 50 * t), 235))
        grass = _to_rgb(_sample("grass"))
        g = Image.fromarray(grass).resize((w, h - h // 2))
        g = Image.fromarray((np.asarray(g) * np.array([0.45, 0.85, 0.35])).astype(np.uint8))
        img.paste(g, (0, h // 2))
    elif kind == "shop":
        brick = Image.fromarray(_to_rgb(_sample("brick"))).resize((w, h))
        tint = np.array([0.85, 0.55, 0.45]) if rng.random() < 0.5 else np.array([0.7, 0.7, 0.7])
        img = Image.fromarray((np.asarray(brick) * tint).astype(np.uint8))
        draw = ImageDraw.Draw(img)
        draw.rectangle([0, int(h * 0.78), w, h], fill=(95, 95, 100))
    elif kind == "stage":
        for x in range(0, w, 24):
            shade = 110 + int(40 * ((x // 24) % 2))
            draw.rectangle([x, 0, x + 24, h], fill=(shade, 20, 30))
        draw.rectangle([0, int(h * 0.82), w, h], fill=(70, 45, 25))
    elif kind == "gym":
        wall = (225, 215, 190) if rng.random() < 0.5 else (200, 210, 225)
        draw.rectangle([0, 0, w, int(h * 0.62)], fill=wall)
        draw.rectangle([0, int(h * 0.62), w, h], fill=(196, 150, 95))
        for y in range(int(h * 0.62), h, 18):
            draw.line([(0, y), (w, y)], fill=(170, 125, 75), width=2)
        draw.rectangle([int(w * 0.1), int(h * 0.05), int(w * 0.45), int(h * 0.16)],
                       fill=(30, 60, 150))
    else:  # classroom
        wall = rng.choice(((235, 230, 210), (210, 225, 215), (230, 215, 215)))
        draw.rectangle([0, 0, w, h], fill=wall)
        draw.rectangle([int(w * 0.15), int(h * 0.06), int(w * 0.85), int(h * 0.36)],
                       fill=(248, 248, 248), outline=(150, 150, 150), width=6)
        for i in range(5):
            x = int(w * 0.05) + i * int(w * 0.19)
            draw.rectangle([x, int(h * 0.78), x + int(w * 0.15), h], fill=(150, 110, 70))
    return img


def _person(canvas: Image.Image, face: np.ndarray, cx: int, cy: int, s: int,
            rng: random.Random) -> None:
    """Draw one person whose face (s x s) is centred at (cx, cy)."""
    draw = ImageDraw.Draw(canvas)
    shirt = rng.choice(SHIRTS)
    body_w = int(s * 1.9)
    draw.rounded_rectangle([cx - body_w // 2, cy + int(s * 0.55), cx + body_w // 2,
                            cy + int(s * 2.6)], radius=int(s * 0.45), fill=shirt)
    hair = rng.choice(HAIR)
    draw.ellipse([cx - int(s * 0.68), cy - int(s * 0.85), cx + int(s * 0.68),
                  cy + int(s * 0.45)], fill=hair)
    tone = np.array(rng.choice(SKIN_TONES), dtype=np.float32)
    gray = Image.fromarray((face * 255).astype(np.uint8)).resize((s, s), Image.BICUBIC)
    g = np.asarray(gray, dtype=np.float32)[..., None]
    rgb = np.clip(g * tone * 1.05, 0, 255).astype(np.uint8)
    canvas.paste(Image.fromarray(rgb), (cx - s // 2, cy - s // 2))


def _render_people(spec: PhotoSpec) -> Image.Image:
    rng = random.Random(spec.recipe)
    img = _background(spec.source, spec.width, spec.height, rng)
    faces = _faces()
    chosen = rng.sample(GOOD_FACES, spec.faces)
    n = spec.faces
    w, h = spec.width, spec.height
    if spec.kind == "single_student":
        s = rng.randint(190, 240)
        _person(img, faces[chosen[0]], w // 2 + rng.randint(-40, 40), int(h * 0.42), s, rng)
        return img
    rows = 1 if n <= 4 else 2
    per_row = [n] if rows == 1 else [n // 2, n - n // 2]
    s = rng.randint(110, 130) if n <= 4 else rng.randint(84, 100)
    k = 0
    for r, count in enumerate(per_row):
        cy = int(h * (0.36 if rows == 1 else (0.27 + 0.33 * r)))
        span = w * 0.84
        step = span / count
        for i in range(count):
            cx = int(w * 0.08 + step * (i + 0.5)) + rng.randint(-8, 8)
            _person(img, faces[chosen[k]], cx, cy + rng.randint(-10, 10), s, rng)
            k += 1
    return img


def _render_adult(spec: PhotoSpec) -> Image.Image:
    rng = random.Random(spec.recipe)
    arr = _to_rgb(_sample(spec.source))
    img = Image.fromarray(arr)
    if rng.random() < 0.5:
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return img.resize((spec.width, spec.height), Image.BICUBIC)


def _render_flyer(spec: PhotoSpec, rng: random.Random) -> Image.Image:
    src = "page" if spec.source == "flyer" else "text"
    arr = _to_rgb(_sample(src))
    inner = Image.fromarray(arr).resize((int(spec.width * 0.8), int(spec.height * 0.6)))
    color = rng.choice(SHIRTS[:5])
    img = Image.new("RGB", (spec.width, spec.height), color)
    img.paste(inner, (int(spec.width * 0.1), int(spec.height * 0.25)))
    draw = ImageDraw.Draw(img)
    draw.rectangle([int(spec.width * 0.1), int(spec.height * 0.06), int(spec.width * 0.9),
                    int(spec.height * 0.18)], fill=(250, 250, 250))
    return img


def _render_no_people(spec: PhotoSpec) -> Image.Image:
    rng = random.Random(spec.recipe)
    if spec.source.startswith("flyer"):
        return _render_flyer(spec, rng)
    arr = _to_rgb(_sample(spec.source))
    h, w = arr.shape[:2]
    ch = int(h * rng.uniform(0.75, 1.0))
    cw = int(w * rng.uniform(0.75, 1.0))
    y = rng.randint(0, h - ch)
    x = rng.randint(0, w - cw)
    arr = arr[y:y + ch, x:x + cw]
    if spec.source in ("moon", "gravel", "brick", "clock", "coins", "cell"):
        tint = np.array([rng.uniform(0.8, 1.0), rng.uniform(0.8, 1.0), rng.uniform(0.8, 1.0)])
        arr = np.clip(arr * tint, 0, 255).astype(np.uint8)
    img = Image.fromarray(np.ascontiguousarray(arr))
    if rng.random() < 0.5:
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    img = img.resize((spec.width, spec.height), Image.BICUBIC)
    if spec.source in ("hubble_deep_field", "retina"):
        img = img.filter(ImageFilter.SMOOTH)
    return img


def render(spec: PhotoSpec) -> bytes:
    """The JPEG bytes of one pool photo (deterministic for a given Pillow build)."""
    if spec.kind in ("group", "pair", "single_student"):
        img = _render_people(spec)
    elif spec.kind == "single_adult":
        img = _render_adult(spec)
    else:
        img = _render_no_people(spec)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85, optimize=False)
    return out.getvalue()


class PhotoPool:
    """The pool for one seed, rendered lazily and cached in memory and under ``cache_dir``."""

    def __init__(self, seed: int, cache_dir: str | Path | None = None):
        self.seed = seed
        self.specs = pool_specs(seed)
        self.by_name = {s.name: s for s in self.specs}
        self.cache_dir = (Path(cache_dir) / f"photos-seed{seed}-v{POOL_VERSION}"
                          if cache_dir is not None else None)
        self._memory: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def path(self, name: str) -> Path | None:
        return self.cache_dir / f"{name}.jpg" if self.cache_dir else None

    def bytes(self, name: str) -> bytes:
        data = self._memory.get(name)
        if data is not None:
            return data
        with self._lock:
            data = self._memory.get(name)
            if data is not None:
                return data
            path = self.path(name)
            if path is not None and path.exists():
                data = path.read_bytes()
            else:
                data = render(self.by_name[name])
                if path is not None:
                    _write_atomic(path, data)
            self._memory[name] = data
            return data

    def ensure_all(self) -> Path | None:
        """Render every photo (and write ``manifest.json``); returns the cache folder."""
        for spec in self.specs:
            self.bytes(spec.name)
        if self.cache_dir is not None:
            manifest = [
                {**asdict(s), "people": s.people, "file": f"{s.name}.jpg"} for s in self.specs
            ]
            _write_atomic(self.cache_dir / "manifest.json",
                          json.dumps(manifest, indent=1).encode("utf-8"))
        return self.cache_dir

    def manifest(self) -> list[dict[str, Any]]:
        return [{**asdict(s), "people": s.people} for s in self.specs]


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


_MP4_STUB = (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
             b"\x00\x00\x00\x08free")


def video_stub() -> bytes:
    """A few bytes that start like an MP4 file: video variants answer with them."""
    return _MP4_STUB
