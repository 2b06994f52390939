"""Settings of the jobs process and the publishers."""

from __future__ import annotations

from pathlib import Path

import pytest

import config
from config import ConfigError, load

BASE = {"SECRET_KEY": "k"}
WEBHOOK = {"WEBHOOK_URL": "http://127.0.0.1:9/hook", "WEBHOOK_SECRET": "s"}


def test_load_fidelity_limit_defaults_to_two_hours() -> None:
    settings = load(BASE)

    assert settings["NODE_FIDELITY_LIMIT_S"] == 7200
    assert settings["NODE_FIDELITY_INTERVAL_S"] == 300


def test_load_publishers_are_a_comma_list_without_duplicates() -> None:
    settings = load({**BASE, **WEBHOOK, "IOTDP_PUBLISHERS": "webhook, webhook"})

    assert settings["IOTDP_PUBLISHERS"] == ("webhook",)


def test_load_unknown_publisher_names_it() -> None:
    with pytest.raises(ConfigError, match="unknown publisher 'thingspeak'"):
        load({**BASE, "IOTDP_PUBLISHERS": "webhook,thingspeak"})


def test_load_enabled_publisher_without_its_settings_names_them() -> None:
    env = {**BASE, "IOTDP_INTEGRATION": "1", "IOTDP_PUBLISHERS": "stadtpuls"}

    with pytest.raises(ConfigError, match="SP_RECORDS_ENDPOINT, SP_LOGIN_EMAIL"):
        load(env)


def test_load_publisher_settings_are_not_required_while_integration_is_off() -> None:
    settings = load({**BASE, "IOTDP_PUBLISHERS": "stadtpuls"})

    assert settings["IOTDP_PUBLISHERS"] == ("stadtpuls",)


def test_load_stadtpuls_secrets_come_from_files(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text("from-file\n", encoding="utf-8")

    settings = load({**BASE, "SP_API_KEY_FILE": str(key)})

    assert settings["SP_API_KEY"] == "from-file"


def test_load_stadtpuls_endpoints_derive_from_the_supabase_url() -> None:
    settings = load({**BASE, "SP_SUPABASE_URL": "https://sb.example/"})

    assert settings["SP_LOGIN_ENDPOINT"] == "https://sb.example/auth/v1/token"
    assert settings["SP_SENSOR_ENDPOINT"] == "https://sb.example/rest/v1/sensors"


@pytest.mark.parametrize(
    "name",
    [
        "NODE_FIDELITY_LIMIT_S",
        "IOTDP_PUBLISHERS",
        "OUTBOX_MAX_ATTEMPTS",
        "SP_RECORDS_ENDPOINT",
        "OSEM_PASSWORD",
        "WEBHOOK_SECRET",
        "SAMPLES_RETENTION_DAYS",
    ],
)
def test_new_settings_are_documented(name: str) -> None:
    assert f"``{name}``" in (config.__doc__ or "")


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "ftp://example.org/hook",
        " https://example.org/hook",
        "https:///hook",
        "https://example.org:port/hook",
        "https://[::1/hook",
        "https://example.org/ho ok",
    ],
)
@pytest.mark.parametrize(
    "name", ["WEBHOOK_URL", "ALERTS_WEBHOOK_URL", "OSEM_API_URL", "SP_SUPABASE_URL"]
)
def test_load_refuses_a_remote_url_that_is_not_http(name: str, url: str) -> None:
    """Such a URL once started the jobs process, and every delivery then failed."""
    with pytest.raises(ConfigError, match=f"{name}=.* is not an http\\(s\\) URL"):
        load({**BASE, name: url})


def test_load_takes_http_and_https_urls_with_ports() -> None:
    settings = load(
        {
            **BASE,
            "WEBHOOK_URL": "http://127.0.0.1:9/hook",
            "ALERTS_WEBHOOK_URL": "https://[::1]:8443/alerts?x=1",
        }
    )

    assert settings["WEBHOOK_URL"] == "http://127.0.0.1:9/hook"
    assert settings["ALERTS_WEBHOOK_URL"] == "https://[::1]:8443/alerts?x=1"
