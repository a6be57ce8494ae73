"""``faces``: does a photo show people, and how many faces? OpenCV Haar cascades, verified.

Input ``{"id", "path"}`` (a local JPEG/PNG/GIF/WebP/BMP/TIFF file; a GIF's first frame). Output
label by face count: ``none`` (0, not flagged), ``one`` (1: a photo of a single person, which the
consent rule reports on its own) or ``several`` (2 or more); ``flagged`` = faces > 0;
``details = {"faces": n, "boxes": [[x, y, w, h], ...], "kinds": ["frontal" | "tilted" |
"profile", ...], "width": W, "height": H}`` in the pixel coordinates of the image as displayed
(EXIF orientation applied). The rule ``student_media_without_consent`` reads ``flagged`` and
``details.faces``. A file that cannot be decoded gives label ``unreadable`` (not flagged, score 0,
the decoder's error in ``reasons``) instead of an exception, so a batch goes on; an input without
a usable ``path`` raises ``InputError``.

Method (parameters in ``Params``; measurements in ``checks/docs/faces.md``):

1. decode with Pillow (JPEG decoded directly at a reduced scale when large), shrink so the longer
   side is at most ``max_side`` (640 px), grey;
2. frontal candidates: ``haarcascade_frontalface_alt2`` (scale step 1.1, >= 3 neighbours,
   faces >= 20 px at working size);
3. verification of each frontal candidate by a second, independently trained cascade
   (``haarcascade_frontalface_alt``) run on the candidate's surroundings only: it must find the
   face again with >= ``verify_min_neighbors`` neighbours (``verify_min_small`` for candidates
   under ``verify_small_below`` px, which have fewer positions to be found at). This removes most
   texture, cat and cartoon hits that one cascade alone makes;
4. tilted heads: steps 2-3 again, with a coarser pyramid (``tilt_scale_factor``, 1.3), on
   copies of the image (``tilt_max_side`` px) turned by +-``tilt`` degrees, boxes mapped back
   (the frontal cascades stop at about 15 degrees of tilt);
5. profile candidates: ``haarcascade_profileface`` on a ``profile_max_side`` px copy and its
   mirror (the cascade knows one side only), >= ``profile_min_neighbors`` neighbours;
6. skin test, where the candidate box has colour to test: if its mean HSV saturation is at
   least ``skin_sat``, at least ``skin_min`` of its centre must fall in the YCrCb skin range
   (a lenient test: it rejects yellow smileys and green or blue textures, not faces in odd
   light). Grey photos and grey regions are not skin-tested;
7. non-maximum suppression (overlap or centre inside another box): frontal, then tilted, then
   profile.

``score`` is the confidence in the flag: with faces 0.5-1 from the neighbour counts of the
strongest face; without, 1 minus half the evidence of the strongest rejected candidate.
Images are decoded and scanned by a thread pool of ``workers`` (2; OpenCV and Pillow release the
GIL), each thread with its own cascades. cv2 and Pillow are imported on first use. The cascade
files ship inside ``opencv-python-headless`` 4.x (``cv2.data.haarcascades``; OpenCV 5 ships
none); they are checked against their SHA-256 before first use.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from checks.detectors.base import InputError, Verdict

NAME = "faces"
METHOD_VERSION = "haar-alt2-verified-3"
LABELS = ("none", "one", "several")  # faces: 0, 1, 2 or more
UNREADABLE = "unreadable"
CASCADES = {
    "alt2": ("haarcascade_frontalface_alt2.xml",
             "7b0c967d9abbdfbde025eb9c786947d151b6426040d07a8f9562ed8fd90724b4"),
    "alt": ("haarcascade_frontalface_alt.xml",
            "6281df13459cc218ff047d02b2ae3859b12ff14a93ffe8952f7b33fad7b9697b"),
    "profile": ("haarcascade_profileface.xml",
                "b39a4a3be45539db146a7fc1d3e761a292c196eb88421185e6a615b3055e612d"),
}
# Chai & Ngan's YCrCb skin range, widened a little (OpenCV's 8-bit YCrCb)
SKIN_CR = (133, 180)
SKIN_CB = (77, 135)


class ModelFileError(RuntimeError):
    """A cascade file is missing or is not the file it should be."""


@dataclass(frozen=True)
class Params:
    max_side: int = 640             # working size: longer side, px (never enlarged)
    scale_factor: float = 1.1       # cascade pyramid step
    min_neighbors: int = 3          # frontal (alt2) detections grouped per face
    min_face: int = 20              # smallest face, px at working size
    verify_min_neighbors: int = 8   # 0 disables the second-cascade verification
    verify_small_below: int = 40    # px: candidates narrower than this need only ...
    verify_min_small: int = 5       # ... this many verifier neighbours
    verify_margin: float = 1 / 3    # context around a candidate for the verifier, of its width
    verify_scale_factor: float = 1.05
    tilt: float = 20.0              # degrees: frontal pass also on copies turned +-tilt; 0 = off
    tilt_max_side: int = 480        # working size of the turned copies
    tilt_scale_factor: float = 1.3  # their cascade pyramid step (1.1 to version 2)
    profile: bool = True
    profile_max_side: int = 480     # the profile cascade's working size (longer side, px)
    profile_scale_factor: float = 1.1
    profile_min_neighbors: int = 5
    skin_min: float = 0.1           # share of the box centre in skin range; 0 disables
    skin_sat: float = 25.0          # mean HSV saturation (0-255) from which a box is skin-tested
    nms_overlap: float = 0.25       # IoU above which two boxes are one face

    def digest(self) -> str:
        payload = json.dumps({"params": asdict(self), "cascades": CASCADES,
                              "skin": [SKIN_CR, SKIN_CB]}, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class Face:
    box: tuple[int, int, int, int]  # at working size
    kind: str                       # frontal | profile
    neighbors: int
    confirm: int                    # verifier's neighbours (frontal) or 0
    evidence: float                 # 0-1


@dataclass
class Scan:
    faces: list[Face]
    rejected: list[tuple[Face, str]]
    scale: float                    # working size / original size
    width: int
    height: int


# ------------------------------------------------------------------------------ cascades ----

def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@cache
def cascade_paths() -> dict[str, str]:
    """Verified paths of the cascade files inside the installed OpenCV wheel."""
    import cv2

    base = Path(getattr(getattr(cv2, "data", None), "haarcascades", "") or "")
    if not hasattr(cv2, "CascadeClassifier"):
        raise ModelFileError(f"OpenCV {cv2.__version__} has no CascadeClassifier: install "
                             "opencv-python-headless 4.x (5.x ships no cascades)")
    out = {}
    for key, (name, expected) in CASCADES.items():
        path = base / name
        if not path.is_file():
            raise ModelFileError(f"{name} not found in {base or 'cv2.data.haarcascades'}: "
                                 "install opencv-python-headless 4.x")
        actual = _sha256(path)
        if actual != expected:
            raise ModelFileError(f"{path} has sha256 {actual}, expected {expected}")
        out[key] = str(path)
    return out


_local = threading.local()


def _cascades() -> dict[str, Any]:
    """This thread's classifiers (a CascadeClassifier must not be shared between threads)."""
    found = getattr(_local, "cascades", None)
    if found is None:
        import cv2

        found = {key: cv2.CascadeClassifier(path) for key, path in cascade_paths().items()}
        for key, clf in found.items():
            if clf.empty():
                raise ModelFileError(f"OpenCV could not load the {key} cascade")
        _local.cascades = found
    return found


# -------------------------------------------------------------------------------- decode ----

class DecodeError(Exception):
    pass


def decode(path: str | Path, max_side: int) -> tuple[np.ndarray, int, int]:
    """(RGB uint8 at working size, original width, original height) as displayed."""
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as im:
            width, height = im.size
            orientation = im.getexif().get(0x0112, 1)
            if orientation in (5, 6, 7, 8):
                width, height = height, width
            if im.format == "JPEG" and max(width, height) > max_side:
                im.draft("RGB", (max_side, max_side))  # DCT scaling, both sides stay >= target
            im = ImageOps.exif_transpose(im)
            if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P"
                                                     and "transparency" in im.info):
                rgba = im.convert("RGBA")
                canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                im = Image.alpha_composite(canvas, rgba)
            rgb = np.asarray(im.convert("RGB"))
    except FileNotFoundError:
        raise DecodeError("file not found") from None
    except Exception as exc:  # noqa: BLE001 - any decoder failure means "unreadable"
        # the file's name, not where the server keeps it: reasons reach reports
        message = str(exc).replace(str(path), Path(path).name)
        raise DecodeError(f"{type(exc).__name__}: {message}") from None
    if rgb.ndim != 3 or rgb.shape[0] < 1 or rgb.shape[1] < 1:
        raise DecodeError("empty image")
    h, w = rgb.shape[:2]
    scale = max_side / max(w, h)
    if scale < 1:
        import cv2

        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(rgb), width, height


# -------------------------------------------------------------------------------- detect ----

def _iou(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    return inter / float(aw * ah + bw * bh - inter)


def _centre_in(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    cx, cy = bx + bw / 2, by + bh / 2
    return ax <= cx <= ax + aw and ay <= cy <= ay + ah


def _evidence(count: int) -> float:
    return 1.0 - math.exp(-count / 30.0)


def skin_share(rgb: np.ndarray, box: tuple[int, int, int, int]) -> tuple[float, float]:
    """(mean HSV saturation, share of pixels in the skin range) of the box's centre (the middle
    two thirds each way: the face, without the background in the box's corners)."""
    import cv2

    x, y, w, h = box
    centre = rgb[y + h // 6:y + h - h // 6, x + w // 6:x + w - w // 6]
    if centre.size == 0:
        return 0.0, 0.0
    sat = float(cv2.cvtColor(centre, cv2.COLOR_RGB2HSV)[..., 1].mean())
    ycc = cv2.cvtColor(centre, cv2.COLOR_RGB2YCrCb)
    cr, cb = ycc[..., 1], ycc[..., 2]
    skin = (cr >= SKIN_CR[0]) & (cr <= SKIN_CR[1]) & (cb >= SKIN_CB[0]) & (cb <= SKIN_CB[1])
    return sat, float(skin.mean())


def _confirm(grey: np.ndarray, box: tuple[int, int, int, int], p: Params,
             clf: Any) -> int:
    """Neighbours with which the verifier finds a face of about this size around ``box``."""
    x, y, w, h = box
    m = int(round(w * p.verify_margin))
    gh, gw = grey.shape
    x0, y0 = max(0, x - m), max(0, y - m)
    sub = grey[y0:min(gh, y + h + m), x0:min(gw, x + w + m)]
    lo, hi = max(p.min_face, int(w * 0.6)), int(w * 1.5) + 1
    if min(sub.shape) < lo:
        return 0
    _, counts = clf.detectMultiScale2(sub, scaleFactor=p.verify_scale_factor, minNeighbors=1,
                                      minSize=(lo, lo), maxSize=(hi, hi))
    return int(max(counts)) if len(counts) else 0


def _shrunk(grey: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """``grey`` with its longer side at most ``max_side``, and the factor applied."""
    import cv2

    gh, gw = grey.shape
    k = min(1.0, max_side / max(gh, gw))
    if k >= 1:
        return grey, 1.0
    small = cv2.resize(grey, (max(1, round(gw * k)), max(1, round(gh * k))),
                       interpolation=cv2.INTER_AREA)
    return small, small.shape[1] / gw


def _rotated(img: np.ndarray, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """``img`` turned by ``degrees`` (counter-clockwise) on a canvas that holds all of it,
    edges replicated; and the 2x3 matrix that maps its pixels back to ``img``'s."""
    import cv2

    h, w = img.shape[:2]
    a = math.radians(degrees)
    nw = int(math.ceil(w * abs(math.cos(a)) + h * abs(math.sin(a))))
    nh = int(math.ceil(w * abs(math.sin(a)) + h * abs(math.cos(a))))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    out = cv2.warpAffine(img, m, (nw, nh), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE)
    return out, cv2.invertAffineTransform(m)


def confirmed(width: int, confirm: int, p: Params) -> bool:
    """Whether the verifier's neighbours confirm a candidate ``width`` px wide (in the image
    it was found in): a small face has fewer positions to be found at, so it needs fewer."""
    if p.verify_min_neighbors <= 0:
        return True
    need = p.verify_min_small if width < p.verify_small_below else p.verify_min_neighbors
    return confirm >= min(need, p.verify_min_neighbors)


def _frontal(grey: np.ndarray, p: Params, clf: dict[str, Any], step: float
             ) -> list[tuple[tuple[int, int, int, int], int, int, bool]]:
    """(box, neighbours, verifier's neighbours, confirmed) of every frontal candidate, the
    cascade's pyramid growing by ``step``."""
    boxes, counts = clf["alt2"].detectMultiScale2(grey, scaleFactor=step,
                                                  minNeighbors=p.min_neighbors,
                                                  minSize=(p.min_face, p.min_face))
    out = []
    for (x, y, w, h), n in zip(boxes, counts, strict=True):
        box = (int(x), int(y), int(w), int(h))
        confirm = _confirm(grey, box, p, clf["alt"]) if p.verify_min_neighbors > 0 else 0
        out.append((box, int(n), confirm, confirmed(box[2], confirm, p)))
    return out


def scan(rgb: np.ndarray, p: Params) -> tuple[list[Face], list[tuple[Face, str]]]:
    """Faces (accepted, NMS applied) and rejected candidates with why, at working size."""
    import cv2

    clf = _cascades()
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    gh, gw = grey.shape
    minsize = (p.min_face, p.min_face)
    accepted: list[Face] = []
    rejected: list[tuple[Face, str]] = []
    if min(gh, gw) < p.min_face:
        return accepted, rejected

    def skin_ok(box: tuple[int, int, int, int]) -> bool:
        if p.skin_min <= 0:
            return True
        sat, share = skin_share(rgb, box)
        return sat < p.skin_sat or share >= p.skin_min

    def judge(face: Face, verified: bool = True) -> None:
        if not verified:
            rejected.append((face, "not confirmed by a second cascade"))
        elif not skin_ok(face.box):
            rejected.append((face, "no skin tone in a coloured box"))
        else:
            accepted.append(face)

    for box, n, confirm, verified in _frontal(grey, p, clf, p.scale_factor):
        judge(Face(box, "frontal", n, confirm, _evidence(n + confirm)), verified)
    if p.tilt > 0:
        # heads leaning sideways: the frontal pass again on copies turned both ways (smaller)
        small, k = _shrunk(grey, p.tilt_max_side)
        for degrees in (p.tilt, -p.tilt):
            turned, back = _rotated(small, degrees)
            found = _frontal(turned, p, clf, p.tilt_scale_factor)
            for (x, y, w, h), n, confirm, verified in found:
                cx, cy = back @ np.array([x + w / 2, y + h / 2, 1.0])
                side = w / k
                x0 = int(round(min(max(0.0, cx / k - side / 2), gw - 1)))
                y0 = int(round(min(max(0.0, cy / k - side / 2), gh - 1)))
                box = (x0, y0, max(1, min(round(side), gw - x0)),
                       max(1, min(round(side), gh - y0)))
                judge(Face(box, "tilted", n, confirm, _evidence(n + confirm) * 0.9), verified)
    if p.profile:
        # the profile cascade is the slow one: run it on a smaller copy (faces >= min_face there)
        small, k = _shrunk(grey, p.profile_max_side)
        sw = small.shape[1]
        for mirrored in (False, True):
            img = np.ascontiguousarray(small[:, ::-1]) if mirrored else small
            if min(img.shape) < p.min_face:
                break
            boxes, counts = clf["profile"].detectMultiScale2(
                img, scaleFactor=p.profile_scale_factor, minNeighbors=p.profile_min_neighbors,
                minSize=minsize)
            for (x, y, w, h), n in zip(boxes, counts, strict=True):
                x = sw - int(x) - int(w) if mirrored else int(x)
                box = (min(gw - 1, round(x / k)), min(gh - 1, round(int(y) / k)),
                       round(int(w) / k), round(int(h) / k))
                box = (box[0], box[1], min(box[2], gw - box[0]), min(box[3], gh - box[1]))
                judge(Face(box, "profile", int(n), 0, _evidence(int(n)) * 0.8))
    order = {"frontal": 0, "tilted": 1, "profile": 2}
    accepted.sort(key=lambda f: (order[f.kind], -f.evidence))
    kept: list[Face] = []
    for face in accepted:
        if all(_iou(face.box, o.box) <= p.nms_overlap and not _centre_in(o.box, face.box)
               and not _centre_in(face.box, o.box) for o in kept):
            kept.append(face)
    return kept, rejected


# ------------------------------------------------------------------------------ detector ----

def _path_of(item: Mapping[str, Any], index: int | None = None) -> str:
    where = f"input {index}" if index is not None else "input"
    if not isinstance(item, Mapping):
        raise InputError(f"{where}: expected an object with 'path'")
    ident = item.get("id")
    label = f"{where} (id {ident!r})" if ident is not None else where
    path = item.get("path")
    if path is None:
        raise InputError(f"{label}: missing 'path'")
    if isinstance(path, Path):
        path = str(path)
    if not isinstance(path, str) or not path.strip():
        raise InputError(f"{label}: 'path' must be a non-empty string")
    return path


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class FacesDetector:
    """People in photos: batched, order-preserving; see the module docstring."""

    name = NAME

    def __init__(self, params: Params | None = None, workers: int = 2):
        self.params = params or Params()
        self.workers = max(1, int(workers))
        self.version = f"{METHOD_VERSION}+{self.params.digest()[:10]}"

    def with_params(self, **changes: Any) -> FacesDetector:
        return FacesDetector(replace(self.params, **changes), self.workers)

    def validate(self, item: Mapping[str, Any]) -> None:
        """Raise ``InputError`` if ``item`` cannot be scored (for per-line CLI errors)."""
        _path_of(item)

    def scan_file(self, path: str | Path) -> Scan:
        """Decode and scan one file (raises ``DecodeError`` if it cannot be decoded)."""
        rgb, width, height = decode(path, self.params.max_side)
        faces, rejected = scan(rgb, self.params)
        scale = rgb.shape[1] / width if width else 1.0
        return Scan(faces, rejected, scale, width, height)

    def _one(self, path: str) -> Verdict:
        try:
            result = self.scan_file(path)
        except DecodeError as exc:
            return Verdict(flagged=False, label=UNREADABLE, score=0.0,
                           reasons=[f"cannot decode image: {exc}"],
                           details={"faces": 0, "boxes": [], "kinds": [],
                                    "width": 0, "height": 0})
        return self._verdict(result)

    def _verdict(self, result: Scan) -> Verdict:
        inv = 1.0 / result.scale if result.scale else 1.0
        boxes = []
        for f in result.faces:
            x, y, w, h = f.box
            x0, y0 = min(result.width, round(x * inv)), min(result.height, round(y * inv))
            boxes.append([x0, y0, min(result.width - x0, round(w * inv)),
                          min(result.height - y0, round(h * inv))])
        details = {"faces": len(result.faces), "boxes": boxes,
                   "kinds": [f.kind for f in result.faces],
                   "width": result.width, "height": result.height}
        if result.faces:
            kinds = [f.kind for f in result.faces]
            parts = [f"{kinds.count(k)} {k}" for k in ("frontal", "tilted", "profile")
                     if k in kinds]
            reasons = [f"{_plural(len(result.faces), 'face')} ({', '.join(parts)})"]
            score = 0.5 + 0.5 * max(f.evidence for f in result.faces)
            label = LABELS[1] if len(result.faces) == 1 else LABELS[2]
            return Verdict(flagged=True, label=label, score=score, reasons=reasons,
                           details=details)
        reasons = ["no face found"]
        score = 1.0
        if result.rejected:
            why = sorted({w for _, w in result.rejected})
            reasons.append(f"{_plural(len(result.rejected), 'candidate')} rejected: "
                           + "; ".join(why))
            score = 1.0 - 0.5 * max(f.evidence for f, _ in result.rejected)
        return Verdict(flagged=False, label=LABELS[0], score=score, reasons=reasons,
                       details=details)

    def classify(self, inputs: Sequence[Mapping[str, Any]]) -> list[Verdict]:
        paths = [_path_of(item, i) for i, item in enumerate(inputs)]
        if not paths:
            return []
        cascade_paths()  # fail loudly (wrong OpenCV) before starting threads
        if self.workers == 1 or len(paths) == 1:
            return [self._one(p) for p in paths]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(paths)),
                                thread_name_prefix="faces") as pool:
            return list(pool.map(self._one, paths))


@cache
def _default() -> FacesDetector:
    return FacesDetector()


def detector(**options: Any) -> FacesDetector:
    """The default detector (cached); ``detector(workers=1, min_neighbors=4, ...)`` builds one
    with other ``Params`` fields or worker count."""
    if not options:
        return _default()
    workers = int(options.pop("workers", 2))
    return FacesDetector(Params(**options) if options else None, workers=workers)
