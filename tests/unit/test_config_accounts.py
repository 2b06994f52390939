"""Settings of accounts, sessions, tokens, rate limits and mail."""

from __future__ import annotations

import pytest

from config import ConfigError, load

BASE = {"SECRET_KEY": "k"}


def test_account_settings_have_documented_defaults() -> None:
    settings = load(BASE)

    assert settings["LOGIN_REDIRECT_URL"] == "/dashboard/"
    assert settings["ACCOUNT_EMAIL_VERIFICATION"] is True
    assert settings["DEFAULT_LOCALE"] == "en"
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["SESSION_LIFETIME_S"] == 14 * 24 * 3600
    assert settings["JWT_ACCESS_LIFETIME_S"] == 900
    assert settings["JWT_REFRESH_LIFETIME_S"] == 14 * 24 * 3600
    assert settings["LOGIN_RATE_LIMIT_ACCOUNT"] == 5
    assert settings["LOGIN_RATE_LIMIT_ADDRESS"] == 20
    assert settings["LOGIN_RATE_LIMIT_WINDOW_S"] == 900
    assert settings["MEMBER_LOOKUP_WINDOW_S"] == 900
    assert settings["TRUSTED_PROXY_COUNT"] == 0
    assert settings["EMAIL_SUBJECT_PREFIX"] == "[airq] "
    assert settings["SITE_URL"] == ""


def test_account_settings_read_the_environment() -> None:
    settings = load(
        {
            **BASE,
            "ACCOUNT_EMAIL_VERIFICATION": "no",
            "DEFAULT_LOCALE": "DE",
            "SESSION_COOKIE_SECURE": "1",
            "LOGIN_RATE_LIMIT_ACCOUNT": "0",
            "MEMBER_LOOKUP_WINDOW_S": "60",
            "SITE_NAME": "Clair Plattform",
            "SITE_URL": "https://co2.example.org/",
        }
    )

    assert settings["ACCOUNT_EMAIL_VERIFICATION"] is False
    assert settings["DEFAULT_LOCALE"] == "de"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["LOGIN_RATE_LIMIT_ACCOUNT"] == 0
    assert settings["MEMBER_LOOKUP_WINDOW_S"] == 60
    assert settings["EMAIL_SUBJECT_PREFIX"] == "[Clair Plattform] "
    assert settings["SITE_URL"] == "https://co2.example.org"


def test_unknown_default_locale_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="DEFAULT_LOCALE='fr'"):
        load({**BASE, "DEFAULT_LOCALE": "fr"})


def test_tls_and_ssl_together_are_refused() -> None:
    with pytest.raises(ConfigError, match="EMAIL_USE_TLS and EMAIL_USE_SSL"):
        load({**BASE, "EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"})


def test_ssl_alone_is_accepted() -> None:
    settings = load({**BASE, "EMAIL_USE_TLS": "0", "EMAIL_USE_SSL": "1"})

    assert (settings["EMAIL_USE_TLS"], settings["EMAIL_USE_SSL"]) == (False, True)


def test_negative_rate_limit_is_refused() -> None:
    with pytest.raises(ConfigError, match="LOGIN_RATE_LIMIT_ADDRESS"):
        load({**BASE, "LOGIN_RATE_LIMIT_ADDRESS": "-1"})


def test_api_keys_per_user_defaults_to_ten_and_refuses_no_cap() -> None:
    assert load(BASE)["API_KEYS_PER_USER"] == 10
    assert load({**BASE, "API_KEYS_PER_USER": "3"})["API_KEYS_PER_USER"] == 3
    with pytest.raises(ConfigError, match="API_KEYS_PER_USER"):
        load({**BASE, "API_KEYS_PER_USER": "0"})
