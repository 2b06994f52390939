"""POST /ingest/v1/samples/: streamed batches in JSON, NDJSON or CSV, optionally gzip."""

from __future__ import annotations

import gzip
import json
import uuid
from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Node, Sample
from app.services.ingest import batch
from tests.factories import (
    T0,
    make_ingest_key,
    make_node,
    make_organization,
    make_samples,
)
from tests.support.refusals import assert_refused

URL = "/ingest/v1/samples/"
TS = 1_700_000_000


def _doc(response: Any) -> Any:
    """The JSON body of a response (a document on every ingest answer)."""
    body = response.get_json()
    assert body is not None
    return body


@pytest.fixture
def node(session: Session) -> Node:
    return make_node(session)


@pytest.fixture
def auth(session: Session, node: Node) -> dict[str, str]:
    return {"Authorization": f"Token {make_ingest_key(session, node.owner)}"}


def _csv(rows: list[str], header: str = "node_id,timestamp_s,co2_ppm") -> str:
    return "\n".join([header, *rows]) + "\n"


def _post(
    client: FlaskClient, body: str | bytes, media: str, headers: dict[str, str]
) -> Any:
    return client.post(URL, data=body, headers={**headers, "Content-Type": media})


def _stored(session: Session, node: Node) -> list[tuple[int, int]]:
    rows = session.execute(
        select(Sample.time, Sample.co2_ppm)
        .where(Sample.node_id == node.id)
        .order_by(Sample.time)
    ).all()
    return [(int(t.timestamp()), co2) for t, co2 in rows]


def test_batch_csv_stores_every_row_and_counts_them(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    body = _csv([f"{node.id},{TS + i},{500 + i}" for i in range(3)])

    response = _post(client, body, "text/csv", auth)

    assert response.status_code == 200
    assert _doc(response)["meta"] == {
        "received": 3,
        "stored": 3,
        "duplicate": 0,
        "conflicting": 0,
        "rejected": 0,
        "rejections": [],
        "conflicts": [],
    }
    assert _stored(session, node) == [(TS, 500), (TS + 1, 501), (TS + 2, 502)]


def test_batch_csv_optional_columns_and_empty_cells_are_stored(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    header = "node_id,timestamp_s,co2_ppm,temperature_celsius,rel_humidity_percent,measurement_status"
    body = _csv([f"{node.id},{TS},600,21.5,45,R", f"{node.id},{TS + 1},610,,,"], header)

    response = _post(client, body, "text/csv", auth)

    assert _doc(response)["meta"]["stored"] == 2
    first, second = session.scalars(select(Sample).order_by(Sample.time)).all()
    assert (str(first.temperature_celsius), first.rel_humidity_percent) == ("21.5", 45)
    assert first.measurement_status == "R"
    assert (second.temperature_celsius, second.measurement_status) == (None, "M")


def test_batch_ndjson_is_stored(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    lines = [
        json.dumps({"node_id": str(node.id), "timestamp_s": TS + i, "co2_ppm": 700})
        for i in range(2)
    ]

    response = _post(client, "\n".join(lines) + "\n\n", "application/x-ndjson", auth)

    assert _doc(response)["meta"]["stored"] == 2
    assert len(_stored(session, node)) == 2


def test_batch_json_array_is_stored(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    body = [
        {
            "node_id": str(node.id),
            "timestamp_s": TS,
            "co2_ppm": 700,
            "temperature_celsius": 19.6,
        },
        {"node_id": str(node.id), "timestamp_s": TS + 60, "co2_ppm": 720},
    ]

    response = _post(client, json.dumps(body), "application/json", auth)

    assert _doc(response)["meta"]["stored"] == 2
    sample = session.scalars(select(Sample).order_by(Sample.time)).first()
    assert sample is not None
    assert str(sample.temperature_celsius) == "19.6"


def test_batch_gzip_body_is_decoded(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    body = gzip.compress(_csv([f"{node.id},{TS + i},650" for i in range(4)]).encode())

    response = _post(client, body, "text/csv", {**auth, "Content-Encoding": "gzip"})

    assert _doc(response)["meta"]["stored"] == 4


def test_batch_eui64_and_iso_time_find_the_node(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    body = _csv(
        [f"{node.eui64.lower()},2023-11-14T22:13:20Z,640"], header="eui64,time,co2_ppm"
    )

    response = _post(client, body, "text/csv", auth)

    assert _doc(response)["meta"]["stored"] == 1
    assert _stored(session, node) == [(TS, 640)]


def test_batch_csv_blank_timestamp_falls_back_to_time_as_blank_node_id_to_eui64(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    body = _csv(
        [
            f"{node.id},,,2023-11-14T22:13:20Z,640",
            f",{node.eui64},{TS + 1}, ,641",
        ],
        header="node_id,eui64,timestamp_s,time,co2_ppm",
    )

    meta = _doc(_post(client, body, "text/csv", auth))["meta"]

    assert (meta["stored"], meta["rejections"]) == (2, [])
    assert _stored(session, node) == [(TS, 640), (TS + 1, 641)]


@pytest.mark.parametrize(
    ("time", "field", "code"),
    [
        ("garbage", "time", "invalid"),
        ("2023-11-14T22:13:21Z", "time", "mismatch"),
        ("", "timestamp_s", "required"),
    ],
)
def test_batch_csv_time_must_be_readable_and_agree_with_timestamp_s(
    client: FlaskClient,
    session: Session,
    node: Node,
    auth: dict[str, str],
    time: str,
    field: str,
    code: str,
) -> None:
    timestamp = "" if code == "required" else str(TS)
    body = _csv(
        [
            f"{node.id},{timestamp},{time},640",
            f"{node.id},{TS},2023-11-14T23:13:20+01:00,641",
        ],
        header="node_id,timestamp_s,time,co2_ppm",
    )

    meta = _doc(_post(client, body, "text/csv", auth))["meta"]

    assert [(p["row"], p["field"], p["code"]) for p in meta["rejections"]] == [
        (1, field, code)
    ]
    assert _stored(session, node) == [(TS, 641)]


def test_batch_mix_stores_exactly_the_good_rows_and_reports_the_rest(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    make_samples(session, node, start=T0, count=2, co2_ppm=600)  # 21.5 °C, 45 %
    t0 = int(T0.timestamp())
    n = node.id
    rows = [
        f"{n},{TS},700,21.5,45",  # 1 good
        f"{n},{t0},600,21.5,45",  # 2 duplicate of a stored sample
        f"{n},{t0 + 300},999,21.5,45",  # 3 conflicts with a stored sample
        f"{n},{TS + 1},20000,21.5,45",  # 4 invalid co2
        f"6f1c8e2a-4b7d-4c55-9a51-0d2f1e3c4b5a,{TS},700,,",  # 5 unknown node
        f"{n},{TS + 2},710,,",  # 6 good
        f"{n},{TS + 2},710,,",  # 7 duplicate inside the batch
        f"{n},{TS + 2},720,,",  # 8 conflict inside the batch
        f"{n},soon,700,,",  # 9 invalid time
    ]
    header = "node_id,timestamp_s,co2_ppm,temperature_celsius,rel_humidity_percent"

    response = _post(client, _csv(rows, header), "text/csv", auth)

    meta = _doc(response)["meta"]
    assert response.status_code == 200
    assert {
        k: meta[k]
        for k in ("received", "stored", "duplicate", "conflicting", "rejected")
    } == {
        "received": 9,
        "stored": 2,
        "duplicate": 2,
        "conflicting": 2,
        "rejected": 3,
    }
    assert [(p["row"], p["field"], p["code"]) for p in meta["rejections"]] == [
        (4, "co2_ppm", "range"),
        (5, "node_id", "does_not_exist"),
        (9, "timestamp_s", "invalid"),
    ]
    assert [(c["row"], c["field"]) for c in meta["conflicts"]] == [
        (3, "co2_ppm"),
        (8, "co2_ppm"),
    ]
    assert _stored(session, node) == [
        (TS, 700),
        (TS + 2, 710),
        (t0, 600),
        (t0 + 300, 600),
    ]


def test_batch_row_for_another_organizations_node_is_rejected_as_forbidden(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    foreign = make_node(session, owner=make_organization(session))
    body = _csv([f"{node.id},{TS},700", f"{foreign.id},{TS},700"])

    response = _post(client, body, "text/csv", auth)

    meta = _doc(response)["meta"]
    assert (meta["stored"], meta["rejected"]) == (1, 1)
    assert meta["rejections"][0] == {
        "row": 2,
        "field": "node_id",
        "code": "forbidden",
        "detail": "This node belongs to another organization than the token.",
    }
    assert _stored(session, foreign) == []


def test_batch_retried_whole_is_all_duplicates(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    body = _csv([f"{node.id},{TS + i},500" for i in range(5)])
    _post(client, body, "text/csv", auth)

    response = _post(client, body, "text/csv", auth)

    assert (_doc(response)["meta"]["stored"], _doc(response)["meta"]["duplicate"]) == (
        0,
        5,
    )
    assert len(_stored(session, node)) == 5


def test_batch_rejections_are_listed_up_to_100_and_all_counted(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    body = _csv([f"{node.id},{TS + i},-1" for i in range(150)])

    meta = _post(client, body, "text/csv", auth).json["meta"]

    assert meta["rejected"] == 150
    assert len(meta["rejections"]) == 100
    assert meta["rejections"][-1]["row"] == 100


def test_batch_csv_ragged_row_is_rejected_alone(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    body = _csv([f"{node.id},{TS},700,extra", f"{node.id},{TS + 1},700"])

    meta = _post(client, body, "text/csv", auth).json["meta"]

    assert (meta["stored"], meta["rejected"]) == (1, 1)
    assert meta["rejections"][0]["row"] == 1


def test_batch_ndjson_line_that_is_not_json_is_rejected_alone(
    client: FlaskClient, node: Node, auth: dict[str, str]
) -> None:
    good = json.dumps({"node_id": str(node.id), "timestamp_s": TS, "co2_ppm": 700})
    body = "\n".join([good, "{broken", "[1, 2]"])

    meta = _post(client, body, "application/x-ndjson", auth).json["meta"]

    assert (meta["stored"], meta["rejected"]) == (1, 2)
    assert [p["row"] for p in meta["rejections"]] == [2, 3]


@pytest.mark.parametrize(
    ("body", "media"),
    [
        ('{"node_id": "x"}', "application/json"),
        ('[{"co2_ppm": 1}, {"co2_ppm": ', "application/json"),
        ("node,timestamp_s,co2_ppm\n", "text/csv"),
        ("node_id,co2_ppm\n", "text/csv"),
        ("node_id,timestamp_s,co2_ppm,co2_ppm\n", "text/csv"),
        (b"node_id,timestamp_s,co2_ppm\n\xff\xfe\n", "text/csv"),
    ],
)
def test_batch_unreadable_body_is_400_and_stores_nothing(
    client: FlaskClient,
    session: Session,
    auth: dict[str, str],
    body: str | bytes,
    media: str,
) -> None:
    response = _post(client, body, media, auth)

    assert response.status_code == 400
    assert _doc(response)["errors"][0]["source"] == {"pointer": ""}
    assert session.scalars(select(Sample)).all() == []


def test_batch_json_array_broken_after_good_rows_stores_nothing(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    good = json.dumps({"node_id": str(node.id), "timestamp_s": TS, "co2_ppm": 700})

    response = _post(client, f"[{good}, {good}, {{oops", "application/json", auth)

    assert response.status_code == 400
    assert _stored(session, node) == []


def test_batch_corrupt_gzip_is_400_naming_content_encoding(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    headers = {**auth, "Content-Encoding": "gzip"}

    response = _post(client, b"\x1f\x8b\x08\x00garbage", "text/csv", headers)

    assert response.status_code == 400
    assert _doc(response)["errors"][0]["source"] == {"header": "Content-Encoding"}


def test_batch_body_over_the_limit_is_413(
    client: FlaskClient,
    node: Node,
    auth: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(client.application.config, "INGEST_MAX_BODY_BYTES", 100)
    body = _csv([f"{node.id},{TS + i},700" for i in range(5)])

    response = _post(client, body, "text/csv", auth)

    assert response.status_code == 413
    assert _doc(response)["errors"][0]["source"] == {"header": "Content-Length"}


def test_batch_raw_body_over_the_request_limit_is_413_saying_to_compress_or_split(
    client: FlaskClient, node: Node, auth: dict[str, str]
) -> None:
    limit = client.application.config["MAX_REQUEST_BYTES"]
    body = _csv([f"{node.id},{TS},700"] * (limit // 40))

    response = _post(client, body, "text/csv", auth)

    assert response.status_code == 413
    (error,) = _doc(response)["errors"]
    assert error["source"] == {"header": "Content-Length"}
    assert f"larger than {limit} bytes as sent (MAX_REQUEST_BYTES)" in error["detail"]
    assert "gzip" in error["detail"]
    assert "split" in error["detail"]


def test_batch_gzip_expanding_over_the_limit_is_413_and_stores_nothing(
    client: FlaskClient,
    session: Session,
    node: Node,
    auth: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(client.application.config, "INGEST_MAX_BODY_BYTES", 2000)
    body = gzip.compress(_csv([f"{node.id},{TS + i},700" for i in range(100)]).encode())
    assert len(body) < 2000

    response = _post(client, body, "text/csv", {**auth, "Content-Encoding": "gzip"})

    assert response.status_code == 413
    assert _stored(session, node) == []


def test_batch_unknown_media_type_is_415(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    response = _post(client, "<samples/>", "application/xml", auth)

    assert response.status_code == 415
    assert _doc(response)["errors"][0]["source"] == {"header": "Content-Type"}


def test_batch_unknown_content_encoding_is_415(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    headers = {**auth, "Content-Encoding": "br"}

    response = _post(client, "node_id,timestamp_s,co2_ppm\n", "text/csv", headers)

    assert response.status_code == 415
    assert _doc(response)["errors"][0]["source"] == {"header": "Content-Encoding"}


def test_batch_without_token_is_401(client: FlaskClient, node: Node) -> None:
    assert_refused(
        client,
        "POST",
        URL,
        401,
        data=_csv([f"{node.id},{TS},700"]),
        content_type="text/csv",
        unchanged=("samples",),
        header="Authorization",
    )


def test_batch_empty_body_stores_nothing(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    response = _post(client, "", "text/csv", auth)

    assert response.status_code == 200
    assert _doc(response)["meta"]["received"] == 0


def test_batch_boolean_is_refused_even_after_the_same_number_was_accepted(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    rows = [
        {"node_id": str(node.id), "timestamp_s": TS, "co2_ppm": 1},
        {"node_id": str(node.id), "timestamp_s": TS + 1, "co2_ppm": True},
    ]

    meta = _doc(_post(client, json.dumps(rows), "application/json", auth))["meta"]

    assert (meta["stored"], meta["rejected"]) == (1, 1)
    assert meta["rejections"][0]["field"] == "co2_ppm"


def test_batch_csv_with_byte_order_mark_and_crlf_is_read(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    body = "\ufeffnode_id,timestamp_s,co2_ppm\r\n" + f"{node.id},{TS},700\r\n"

    meta = _doc(_post(client, body.encode(), "text/csv", auth))["meta"]

    assert meta["stored"] == 1


def test_batch_over_the_record_limit_is_413_naming_it_and_stores_nothing(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    rows = [f"{node.id},{TS + i},700" for i in range(3)]
    rows += [f"{uuid.UUID(int=1)},{TS},700"] * (batch.MAX_RECORDS - 3 + 1)

    response = _post(client, _csv(rows), "text/csv", auth)

    assert response.status_code == 413
    (error,) = _doc(response)["errors"]
    assert error["source"] == {"pointer": ""}
    assert f"at most {batch.MAX_RECORDS}" in error["detail"]
    assert _stored(session, node) == []


def test_batch_with_too_many_rejected_records_is_abandoned_and_stores_nothing(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    good = {"node_id": str(node.id), "timestamp_s": TS, "co2_ppm": 700}
    body = json.dumps([good, *[{}] * batch.MAX_REJECTED, {"co2_ppm": -1}])

    response = _post(client, body, "application/json", auth)

    assert response.status_code == 400
    (error,) = _doc(response)["errors"]
    assert (error["code"], error["source"]) == ("too_many_rejected", {"pointer": ""})
    assert "nothing was stored" in error["detail"]
    assert "(row 2, node_id): Give node_id or eui64." in error["detail"]
    assert _stored(session, node) == []


def test_batch_with_as_many_rejected_records_as_allowed_is_stored(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    good = {"node_id": str(node.id), "timestamp_s": TS, "co2_ppm": 700}
    body = json.dumps([good, *[{}] * batch.MAX_REJECTED])

    meta = _doc(_post(client, body, "application/json", auth))["meta"]

    assert (meta["stored"], meta["rejected"]) == (1, batch.MAX_REJECTED)
