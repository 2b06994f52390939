"""Configuration parsing: booleans, *_FILE secrets, required settings, database URL."""

from __future__ import annotations

from pathlib import Path

import pytest

import config
from config import ConfigError, Env, load

BASE = {"SECRET_KEY": "k"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("True", True),
        ("YES", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("False", False),
        ("no", False),
        ("", False),
    ],
)
def test_flag_words_parse_to_booleans(raw: str, expected: bool) -> None:
    assert Env({"X": raw}).flag("X") is expected


def test_load_email_use_tls_false_is_false() -> None:
    settings = load({**BASE, "EMAIL_USE_TLS": "False"})

    assert settings["EMAIL_USE_TLS"] is False


def test_load_email_use_tls_unset_defaults_to_true() -> None:
    assert load(BASE)["EMAIL_USE_TLS"] is True


def test_flag_unknown_word_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="DEBUG='maybe'"):
        load({**BASE, "DEBUG": "maybe"})


def test_secret_file_wins_over_plain_variable_and_is_trimmed(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("  from-file\n", encoding="utf-8")

    settings = load({"SECRET_KEY": "plain", "SECRET_KEY_FILE": str(secret)})

    assert settings["SECRET_KEY"] == "from-file"


def test_secret_file_unreadable_names_the_variable(tmp_path: Path) -> None:
    missing = tmp_path / "nope"

    with pytest.raises(ConfigError, match=r"^SECRET_KEY_FILE: cannot read"):
        load({"SECRET_KEY_FILE": str(missing)})


def test_load_without_secret_key_fails_naming_it() -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load({})


def test_sql_password_file_is_used_in_database_url(tmp_path: Path) -> None:
    pw = tmp_path / "pw"
    pw.write_text("s3cr@t\n", encoding="utf-8")

    settings = load(
        {
            **BASE,
            "SQL_USER": "u",
            "SQL_PASSWORD_FILE": str(pw),
            "SQL_HOST": "db",
            "SQL_PORT": "6543",
            "SQL_DATABASE": "air",
        }
    )

    assert (
        settings["SQLALCHEMY_DATABASE_URI"]
        == "postgresql+psycopg://u:s3cr%40t@db:6543/air"
    )


def test_database_url_wins_and_gets_the_psycopg_driver() -> None:
    settings = load(
        {**BASE, "DATABASE_URL": "postgres://a:b@h/d", "SQL_HOST": "ignored"}
    )

    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://a:b@h/d"


def test_sql_engine_sqlite_is_refused() -> None:
    with pytest.raises(ConfigError, match="SQL_ENGINE"):
        load({**BASE, "SQL_ENGINE": "django.db.backends.sqlite3"})


def test_sql_port_not_a_number_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="SQL_PORT='x'"):
        load({**BASE, "SQL_PORT": "x"})


def test_sentry_enabled_without_dsn_fails() -> None:
    with pytest.raises(ConfigError, match="SENTRY_URL"):
        load({**BASE, "SENTRY": "1"})


def test_unknown_timezone_fails() -> None:
    with pytest.raises(ConfigError, match="ANALYSIS_TIMEZONE"):
        load({**BASE, "ANALYSIS_TIMEZONE": "Mars/Olympus"})


def test_allowed_hosts_split_on_spaces_and_commas() -> None:
    assert load({**BASE, "ALLOWED_HOSTS": "a.example b.example,c"})[
        "ALLOWED_HOSTS"
    ] == (
        "a.example",
        "b.example",
        "c",
    )


def test_log_level_unknown_fails() -> None:
    with pytest.raises(ConfigError, match="LOG_LEVEL"):
        load({**BASE, "LOG_LEVEL": "LOUD"})


def test_every_documented_variable_is_read() -> None:
    """The module docstring is the table the README points to; keep them in step."""
    doc = config.__doc__ or ""
    for name in (
        "SECRET_KEY",
        "DATABASE_URL",
        "SQL_HOST",
        "EMAIL_USE_TLS",
        "SENTRY_URL",
        "NODE_FIDELITY",
        "IOTDP_INTEGRATION",
        "ANALYSIS_TIMEZONE",
        "LOG_LEVEL",
    ):
        assert f"``{name}``" in doc


def test_readme_documents_every_variable_of_the_config_table() -> None:
    import re

    root = Path(__file__).resolve().parents[2]
    rows = [ln for ln in (config.__doc__ or "").splitlines() if ln.startswith("| ``")]
    names = {
        n for row in rows for n in re.findall(r"``([A-Z_]+)``", row.split(" | ")[0])
    }
    readme = (root / "README.md").read_text(encoding="utf-8")

    missing = sorted(n for n in names if f"`{n}`" not in readme)

    assert names
    assert missing == []
