"""Installation photo upload: validated, size-limited, stored under a random name."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from tests.api.inventory.conftest import js
from tests.support.refusals import assert_refused
from tests.support.worlds import InventoryWorld, inventory_world


@pytest.fixture
def media(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private media folder with a 2 KiB upload limit."""
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(tmp_path))
    monkeypatch.setitem(app.config, "MEDIA_MAX_IMAGE_BYTES", 2048)
    return tmp_path


def _png(colour: str = "blue", size: tuple[int, int] = (3, 2)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def _black_and_white_png(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of any size: all-white rows compress to almost nothing."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    row = b"\0" + b"\xff" * ((width + 7) // 8)  # filter "none", then the bits
    pixels = zlib.compressobj(9)
    compressed = b"".join(pixels.compress(row) for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", compressed + pixels.flush())
        + chunk(b"IEND", b"")
    )


def _upload(
    client: FlaskClient, w: InventoryWorld, data: bytes, inst: int | None = None
) -> Any:
    return client.put(
        f"/api/v1/installations/{inst or w.inst}/image/",
        data={"image": (BytesIO(data), "photo.png")},
        headers={"Authorization": w.headers["owner"]["Authorization"]},
        content_type="multipart/form-data",
    )


@pytest.fixture
def world(session: Session) -> InventoryWorld:
    """The authorization world, committed."""
    w = inventory_world(session)
    session.commit()
    return w


def test_upload_png_stores_random_name_with_its_format(
    client: FlaskClient, world: InventoryWorld, media: Path
) -> None:
    resp = _upload(client, world, _png())

    assert resp.status_code == 200
    name = js(resp)["data"]["attributes"]["image"].rsplit("/", 1)[-1]
    assert name.endswith(".png")
    assert name != "photo.png"
    assert (media / name).read_bytes() == _png()


def test_replacing_the_photo_removes_the_old_file(
    client: FlaskClient, world: InventoryWorld, media: Path
) -> None:
    _upload(client, world, _png("red"))

    second = _upload(client, world, _png("green"))

    name = js(second)["data"]["attributes"]["image"].rsplit("/", 1)[-1]
    assert [p.name for p in media.iterdir()] == [name]


def test_deleting_the_installation_removes_its_photo(
    client: FlaskClient, world: InventoryWorld, media: Path
) -> None:
    _upload(client, world, _png())

    resp = client.delete(
        f"/api/v1/installations/{world.inst}", headers=world.headers["owner"]
    )

    assert resp.status_code == 204
    assert list(media.iterdir()) == []


def test_upload_that_is_not_an_image_is_400_and_stores_nothing(
    client: FlaskClient, world: InventoryWorld, media: Path
) -> None:
    resp = _upload(client, world, b"%PDF-1.4 definitely not a picture")

    assert resp.status_code == 400
    assert js(resp)["errors"][0]["source"]["pointer"] == "/data/attributes/image"
    assert list(media.iterdir()) == []


def test_upload_larger_than_the_limit_is_400(
    client: FlaskClient, world: InventoryWorld, media: Path
) -> None:
    big = _png(size=(400, 400)) + b"\0" * 4096

    resp = _upload(client, world, big)

    assert resp.status_code == 400
    assert "KiB" in js(resp)["errors"][0]["detail"]


def test_upload_of_a_valid_image_with_too_many_pixels_says_so_and_the_limit(
    client: FlaskClient,
    world: InventoryWorld,
    media: Path,
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "MEDIA_MAX_IMAGE_BYTES", 1024 * 1024)
    huge = _black_and_white_png(10_000, 9_000)  # 90 megapixels in a few KiB
    with Image.open(BytesIO(_black_and_white_png(100, 90))) as small:
        small.verify()  # the same construction makes a valid image

    resp = _upload(client, world, huge)

    assert resp.status_code == 400
    assert js(resp)["errors"][0] == {
        "status": "400",
        "code": "invalid",
        "title": "Invalid request",
        "detail": "The image is too large in pixels: at most 89.5 megapixels "
        "(89478485 pixels) are accepted. Scale it down and "
        "upload it again.",
        "source": {"pointer": "/data/attributes/image"},
    }
    assert list(media.iterdir()) == []


def test_upload_of_unaccepted_format_is_400(
    client: FlaskClient, world: InventoryWorld, media: Path
) -> None:
    buffer = BytesIO()
    Image.new("RGB", (2, 2)).save(buffer, "BMP")

    resp = _upload(client, world, buffer.getvalue())

    assert resp.status_code == 400
    assert "BMP" in js(resp)["errors"][0]["detail"]


def test_upload_as_json_is_415(
    client: FlaskClient, world: InventoryWorld, media: Path
) -> None:
    assert_refused(
        client,
        "PUT",
        f"/api/v1/installations/{world.inst}/image/",
        415,
        json={"image": "data:..."},
        headers=world.headers["owner"],
        unchanged=("installations",),
        header="Content-Type",
    )


def test_missing_media_file_is_404(client: FlaskClient, media: Path) -> None:
    assert_refused(
        client, "GET", "/media/nothing-here.png", 404, unchanged=("installations",)
    )


def _photo_path(client: FlaskClient, w: InventoryWorld, inst: int) -> str:
    """Upload a photo for ``inst`` as its OWNER; return the path it is served at."""
    url: str = js(_upload(client, w, _png(), inst))["data"]["attributes"]["image"]
    return "/media/" + url.rsplit("/", 1)[-1]


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("anonymous", 404),
        ("outsider", 404),
        ("staff", 404),
        ("inspector", 200),
        ("owner", 200),
    ],
)
def test_private_installation_photo_is_served_to_members_only(
    client: FlaskClient, world: InventoryWorld, media: Path, caller: str, status: int
) -> None:
    path = _photo_path(client, world, world.inst)

    with client.get(path, headers=world.headers[caller]) as resp:
        assert resp.status_code == status
        if status == 200:
            assert resp.data == _png()
            assert resp.cache_control.private
            assert resp.cache_control.no_cache
            assert not resp.cache_control.public
        else:
            assert js(resp)["errors"][0]["status"] == "404"


def test_public_installation_photo_is_served_to_anyone_and_cacheable(
    client: FlaskClient, world: InventoryWorld, media: Path
) -> None:
    path = _photo_path(client, world, world.pinst)

    with client.get(path) as resp:
        assert resp.status_code == 200
        assert resp.data == _png()
        assert resp.cache_control.public
        assert resp.cache_control.max_age == 3600


def test_stored_file_no_installation_names_is_404(
    client: FlaskClient, world: InventoryWorld, media: Path
) -> None:
    (media / "3f2c0000-0000-4000-8000-000000000000.png").write_bytes(_png())

    assert_refused(
        client,
        "GET",
        "/media/3f2c0000-0000-4000-8000-000000000000.png",
        404,
        headers=world.headers["owner"],
        unchanged=(),
    )
