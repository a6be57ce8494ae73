"""Small JPEG thumbnails of stored media, embedded in reports as ``data:`` URIs.

A weekly dashboard is one file that the office opens anywhere (a laptop, an attachment, a shared
drive) with no network, so thumbnails are embedded rather than linked: a link to the media store
would break as soon as the file moves, and a link to the platform's CDN would make the page fetch
from the network (and tell the platform who reads it). Embedding stays small because each image
is reduced to at most ``THUMB_SIZE`` pixels (2 to 5 KB as JPEG) and embedded once per page
however many findings show it.

Only the media store is read: an image is looked up by its content hash
(``MEDIA_DIR/<sha[:2]>/<sha>.<ext>``, the layout of ``connectors.media.store_bytes``), or at its
recorded ``local_path`` if that lies inside the media directory. Thumbnails are cached by hash in
``cache_dir`` (written atomically), so rebuilding a week's dashboard decodes no image twice. An
image that cannot be read (missing, not an image, a video file, a decompression bomb) gets no
thumbnail.
"""

from __future__ import annotations

import base64
import io
import os
import re
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

THUMB_SIZE = 128
JPEG_QUALITY = 70
DATA_URI_PREFIX = "data:image/jpeg;base64,"
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp")
MAX_SOURCE_PIXELS = 60_000_000

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def source_image(sha256: str, media_dir: Path, local_path: str | None = None) -> Path | None:
    """The stored image with content hash ``sha256``, if the media store has it."""
    if not _SHA256.match(sha256 or ""):
        return None
    for ext in IMAGE_EXTENSIONS:
        candidate = media_dir / sha256[:2] / f"{sha256}.{ext}"
        if candidate.is_file():
            return candidate
    if local_path:
        recorded = Path(local_path)
        if not recorded.is_absolute():
            recorded = media_dir / recorded
        if recorded.is_file() and _inside(recorded, media_dir):
            return recorded
    return None


def make_thumbnail(source: Path, size: int = THUMB_SIZE) -> bytes | None:
    """JPEG bytes of ``source`` reduced to fit ``size`` x ``size``; ``None`` if unreadable."""
    from PIL import Image, ImageOps

    try:
        with Image.open(source) as img:
            if img.width * img.height > MAX_SOURCE_PIXELS:
                return None
            if img.format == "JPEG":
                img.draft("RGB", (size * 2, size * 2))  # decode at reduced scale: much faster
            img.seek(0)
            frame = ImageOps.exif_transpose(img) or img
            frame.thumbnail((size, size))
            if frame.mode in ("RGBA", "LA", "P"):
                rgba = frame.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                frame = flat
            elif frame.mode != "RGB":
                frame = frame.convert("RGB")
            out = io.BytesIO()
            frame.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
            return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def _write_atomically(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def thumbnail_bytes(
    sha256: str,
    media_dir: Path,
    cache_dir: Path | None,
    local_path: str | None = None,
    size: int = THUMB_SIZE,
) -> bytes | None:
    """The cached thumbnail of ``sha256``, made (and cached) if needed; ``None`` if no image."""
    if not _SHA256.match(sha256 or ""):
        return None
    cached = cache_dir / sha256[:2] / f"{sha256}-{size}.jpg" if cache_dir else None
    if cached is not None and cached.is_file():
        try:
            return cached.read_bytes()
        except OSError:
            pass
    source = source_image(sha256, media_dir, local_path)
    if source is None:
        return None
    content = make_thumbnail(source, size)
    if content is not None and cached is not None:
        try:
            _write_atomically(cached, content)
        except OSError:
            pass  # a read-only cache costs speed, never the thumbnail
    return content


def thumbnail_data_uris(
    media: Iterable[tuple[str, str | None]],
    media_dir: Path,
    cache_dir: Path | None,
    *,
    limit: int | None = None,
    workers: int = 2,
    size: int = THUMB_SIZE,
) -> dict[str, str]:
    """``{sha256: data URI}`` for the distinct (sha256, local_path) pairs that have an image,
    at most ``limit`` of them (in the order given)."""
    wanted: dict[str, str | None] = {}
    for sha, local_path in media:
        if sha and sha not in wanted and _SHA256.match(sha):
            wanted[sha] = local_path
            if limit is not None and len(wanted) >= limit:
                break
    if not wanted:
        return {}

    def work(entry: tuple[str, str | None]) -> tuple[str, bytes | None]:
        return entry[0], thumbnail_bytes(entry[0], media_dir, cache_dir, entry[1], size)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        made = list(pool.map(work, wanted.items()))
    return {sha: DATA_URI_PREFIX + base64.b64encode(content).decode("ascii")
            for sha, content in made if content}
