"""Uploaded installation photos: validated with Pillow, stored under random names.

Files live in ``MEDIA_ROOT`` and are served at ``MEDIA_URL`` (by the app when it
is a path, by another server or an object store when it is a URL). A replaced
or orphaned photo is removed once the database change is committed.
"""

from __future__ import annotations

import io
import logging
import os
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from PIL import Image, UnidentifiedImageError

from app.errors import ValidationError

log = logging.getLogger(__name__)

IMAGE_POINTER = "/data/attributes/image"
#: Pillow format → file extension of the formats browsers show.
EXTENSIONS = {"JPEG": "jpeg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


@dataclass(frozen=True)
class MediaStore:
    """Where photos go and how large they may be."""

    root: Path
    max_bytes: int


def store_image(store: MediaStore, stream: IO[bytes]) -> str:
    """Validate an uploaded image and store it under a new random name.

    Args:
        store: the media folder and size limit.
        stream: the uploaded file.

    Returns:
        The stored file name, e.g. ``"3f2c….jpeg"``.

    Raises:
        ValidationError: too large (in bytes or in pixels), not an image, or
            not JPEG/PNG/GIF/WebP.
    """
    data = stream.read(store.max_bytes + 1)
    if len(data) > store.max_bytes:
        raise ValidationError(
            f"The image is larger than {store.max_bytes // 1024} KiB.", IMAGE_POINTER
        )
    image_format = _image_format(data)
    name = f"{uuid.uuid4()}.{EXTENSIONS[image_format]}"
    store.root.mkdir(parents=True, exist_ok=True)
    temporary = store.root / f".{name}.part"
    temporary.write_bytes(data)
    os.replace(temporary, store.root / name)
    return name


def remove_image(store: MediaStore, name: str | None) -> None:
    """Remove a stored photo if it exists; a failure is logged, not raised."""
    if not name or "/" in name or name.startswith("."):
        return
    try:
        (store.root / name).unlink(missing_ok=True)
    except OSError:
        log.warning("Could not remove media file %s", name, exc_info=True)


def _image_format(data: bytes) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
                image_format = image.format or ""
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(_too_many_pixels(), IMAGE_POINTER) from exc
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise ValidationError(_NOT_AN_IMAGE, IMAGE_POINTER) from exc
    if image_format not in EXTENSIONS:
        raise ValidationError(
            f"Images of type {image_format or 'unknown'} are not accepted; upload "
            "a JPEG, PNG, GIF or WebP file.",
            IMAGE_POINTER,
        )
    return image_format


def _too_many_pixels() -> str:
    """The refusal of a valid image beyond Pillow's decompression-bomb limit."""
    limit = Image.MAX_IMAGE_PIXELS or 0
    return (
        f"The image is too large in pixels: at most {limit / 1e6:.1f} megapixels "
        f"({limit} pixels) are accepted. Scale it down and upload "
        "it again."
    )


_NOT_AN_IMAGE = (
    "Upload a valid image. The file you uploaded was either not an image or a "
    "corrupted image."
)

__all__ = ["EXTENSIONS", "MediaStore", "remove_image", "store_image"]
