"""Ingest settings: authentication mode, limits and publishers."""

from __future__ import annotations

import pytest

from config import ConfigError, load

BASE = {"SECRET_KEY": "k"}


def test_ingest_defaults_are_token_auth_300_s_skew_and_no_publishers() -> None:
    settings = load(BASE)

    assert settings["INGEST_AUTH"] == "token"
    assert settings["INGEST_TOKEN_HEADER"] == "X-Ingest-Token"
    assert settings["INGEST_MAX_FUTURE_S"] == 300
    assert settings["INGEST_MAX_BODY_BYTES"] == 64 * 1024 * 1024
    assert settings["IOTDP_PUBLISHERS"] == ()


def test_ingest_auth_none_is_accepted_case_insensitively() -> None:
    assert load({**BASE, "INGEST_AUTH": "None"})["INGEST_AUTH"] == "none"


def test_ingest_auth_unknown_mode_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="INGEST_AUTH='open'"):
        load({**BASE, "INGEST_AUTH": "open"})


def test_iotdp_publishers_is_a_comma_list() -> None:
    settings = load({**BASE, "IOTDP_PUBLISHERS": "stadtpuls, webhook"})

    assert settings["IOTDP_PUBLISHERS"] == ("stadtpuls", "webhook")


def test_ingest_max_body_bytes_must_be_positive() -> None:
    with pytest.raises(ConfigError, match="INGEST_MAX_BODY_BYTES=0"):
        load({**BASE, "INGEST_MAX_BODY_BYTES": "0"})
