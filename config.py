"""Configuration from the environment: every variable, its default and its meaning.

Every secret may also be given as ``<NAME>_FILE``: the path of a file holding the value
(the file wins over the plain variable; surrounding white space is trimmed), which is how
Docker secrets arrive. Booleans accept ``1/0``, ``true/false``, ``yes/no``, ``on/off``
(case-insensitive); anything else stops start-up with a message naming the variable.

| Variable | Default | Meaning |
|---|---|---|
| ``SECRET_KEY`` (secret) | required | signs sessions, CSRF tokens and JWTs |
| ``DATABASE_URL`` (secret) | built from ``SQL_*`` | SQLAlchemy URL, e.g. ``postgresql+psycopg://u:p@host:5432/db`` |
| ``SQL_ENGINE`` | ``postgresql`` | Managair's engine name; only PostgreSQL is supported |
| ``SQL_DATABASE`` / ``SQL_USER`` / ``SQL_PASSWORD`` (secret) | ``co2`` / ``co2`` / none | database name, role, password |
| ``SQL_HOST`` / ``SQL_PORT`` | ``localhost`` / ``5432`` | database server |
| ``DEBUG`` | ``0`` | Flask debug mode (never in production) |
| ``ALLOWED_HOSTS`` | ``*`` | host names the app answers to, separated by spaces or commas |
| ``LOG_LEVEL`` | ``INFO`` | level of the application's loggers |
| ``EMAIL_HOST`` / ``EMAIL_PORT`` | ``localhost`` / ``587`` | SMTP server for account mail |
| ``EMAIL_HOST_USER`` / ``EMAIL_HOST_PASSWORD`` (secret) | none | SMTP login |
| ``EMAIL_USE_TLS`` / ``EMAIL_USE_SSL`` | ``1`` / ``0`` | STARTTLS / implicit TLS for SMTP |
| ``DEFAULT_FROM_EMAIL`` | ``noreply@localhost`` | sender of account mail |
| ``SENTRY`` / ``SENTRY_URL`` (secret) | ``0`` / none | report errors to Sentry (the DSN is required when enabled) |
| ``NODE_FIDELITY`` | ``0`` | run the node fidelity check in the jobs process |
| ``IOTDP_INTEGRATION`` | ``0`` | forward public samples to IoT data platforms |
| ``ANALYSIS_TIMEZONE`` | ``Europe/Berlin`` | time zone of daily buckets and air-quality days |
| ``DB_POOL_SIZE`` | ``5`` | database connections per process |
| ``DB_CONNECT_TIMEOUT_S`` | ``5`` | seconds to wait for the database before answering 503 |
| ``INGEST_AUTH`` | ``token`` | ``token``: ingest needs an ingest token; ``none``: open (internal endpoint only) |
| ``INGEST_TOKEN_HEADER`` | ``X-Ingest-Token`` | extra header carrying an ingest token (webhooks of network servers) |
| ``INGEST_TOKEN_CACHE_S`` | ``5`` | seconds a worker trusts a verified ingest token (revocation delay); 0: never |
| ``INGEST_MAX_FUTURE_S`` | ``300`` | seconds a sample's time may lie ahead of the server clock |
| ``INGEST_MAX_BODY_BYTES`` | ``67108864`` | largest batch body (after gzip decoding) before 413 |
| ``IOTDP_PUBLISHERS`` | empty | publishers (comma list) that get public samples when ``IOTDP_INTEGRATION=1`` |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y", "t"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "n", "f", ""})
LOG_LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})
INGEST_AUTH_MODES = ("token", "none")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Env:
    """Typed reads from an environment mapping (``os.environ`` by default)."""

    environ: Mapping[str, str]

    def secret(self, name: str, default: str | None = None) -> str | None:
        """Return ``NAME`` or the trimmed contents of the file named by ``NAME_FILE``.

        Raises:
            ConfigError: ``NAME_FILE`` is set but cannot be read.
        """
        path = self.environ.get(f"{name}_FILE")
        if path:
            try:
                return Path(path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(
                    f"{name}_FILE: cannot read {path!r} ({exc.strerror}); "
                    f"fix the path or set {name} instead"
                ) from exc
        return self.environ.get(name, default)

    def text(self, name: str, default: str) -> str:
        """Return a plain string setting."""
        return self.environ.get(name, default)

    def flag(self, name: str, default: bool = False) -> bool:
        """Return a boolean setting.

        Raises:
            ConfigError: the value is not a recognised boolean word.
        """
        raw = self.environ.get(name)
        if raw is None:
            return default
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ConfigError(
            f"{name}={raw!r} is not a boolean; use 1/0, true/false or yes/no"
        )

    def integer(self, name: str, default: int, minimum: int = 0) -> int:
        """Return an integer setting that is at least ``minimum``.

        Raises:
            ConfigError: the value is not an integer or is too small.
        """
        raw = self.environ.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            value = int(raw)
        except ValueError as exc:
            raise ConfigError(f"{name}={raw!r} is not a whole number") from exc
        if value < minimum:
            raise ConfigError(f"{name}={value} is below the minimum {minimum}")
        return value

    def words(self, name: str, default: str) -> tuple[str, ...]:
        """Return a list setting separated by spaces or commas."""
        raw = self.environ.get(name, default)
        return tuple(w for w in raw.replace(",", " ").split() if w)


def database_url(env: Env) -> str:
    """Return ``DATABASE_URL`` or build one from Managair's ``SQL_*`` variables.

    Raises:
        ConfigError: ``SQL_ENGINE`` names something other than PostgreSQL.
    """
    url = env.secret("DATABASE_URL")
    if url:
        return _with_psycopg_driver(url)
    engine = env.text("SQL_ENGINE", "postgresql")
    if "postgres" not in engine:
        raise ConfigError(
            f"SQL_ENGINE={engine!r} is not supported; this server needs PostgreSQL "
            "with TimescaleDB (e.g. SQL_ENGINE=django.db.backends.postgresql)"
        )
    user = quote(env.text("SQL_USER", "co2"), safe="")
    password = env.secret("SQL_PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}" if password else user
    host = env.text("SQL_HOST", "localhost")
    port = env.integer("SQL_PORT", 5432, minimum=1)
    name = quote(env.text("SQL_DATABASE", "co2"), safe="")
    return f"postgresql+psycopg://{auth}@{host}:{port}/{name}"


def _with_psycopg_driver(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _timezone(env: Env, name: str, default: str) -> str:
    value = env.text(name, default)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{name}={value!r} is not a known time zone") from exc
    return value


def _log_level(env: Env) -> str:
    level = env.text("LOG_LEVEL", "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(
            f"LOG_LEVEL={level!r} is not one of {', '.join(sorted(LOG_LEVELS))}"
        )
    return level


def _ingest_auth(env: Env) -> str:
    mode = env.text("INGEST_AUTH", "token").strip().lower()
    if mode not in INGEST_AUTH_MODES:
        raise ConfigError(
            f"INGEST_AUTH={mode!r} is not one of {', '.join(INGEST_AUTH_MODES)}"
        )
    return mode


def load(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read every setting from the environment into a Flask config mapping.

    Raises:
        ConfigError: a required setting is missing or a value is malformed.
    """
    env = Env(os.environ if environ is None else environ)
    secret_key = env.secret("SECRET_KEY")
    if not secret_key:
        raise ConfigError("SECRET_KEY is not set; set SECRET_KEY or SECRET_KEY_FILE")
    sentry = env.flag("SENTRY")
    sentry_url = env.secret("SENTRY_URL")
    if sentry and not sentry_url:
        raise ConfigError("SENTRY=1 needs SENTRY_URL (or SENTRY_URL_FILE), the DSN")
    return {
        "SECRET_KEY": secret_key,
        "DEBUG": env.flag("DEBUG"),
        "SQLALCHEMY_DATABASE_URI": database_url(env),
        "DB_POOL_SIZE": env.integer("DB_POOL_SIZE", 5, minimum=1),
        "DB_CONNECT_TIMEOUT_S": env.integer("DB_CONNECT_TIMEOUT_S", 5, minimum=1),
        "ALLOWED_HOSTS": env.words("ALLOWED_HOSTS", "*"),
        "LOG_LEVEL": _log_level(env),
        "EMAIL_HOST": env.text("EMAIL_HOST", "localhost"),
        "EMAIL_PORT": env.integer("EMAIL_PORT", 587, minimum=1),
        "EMAIL_HOST_USER": env.text("EMAIL_HOST_USER", ""),
        "EMAIL_HOST_PASSWORD": env.secret("EMAIL_HOST_PASSWORD") or "",
        "EMAIL_USE_TLS": env.flag("EMAIL_USE_TLS", default=True),
        "EMAIL_USE_SSL": env.flag("EMAIL_USE_SSL"),
        "DEFAULT_FROM_EMAIL": env.text("DEFAULT_FROM_EMAIL", "noreply@localhost"),
        "SENTRY": sentry,
        "SENTRY_URL": sentry_url,
        "NODE_FIDELITY": env.flag("NODE_FIDELITY"),
        "IOTDP_INTEGRATION": env.flag("IOTDP_INTEGRATION"),
        "ANALYSIS_TIMEZONE": _timezone(env, "ANALYSIS_TIMEZONE", "Europe/Berlin"),
        "INGEST_AUTH": _ingest_auth(env),
        "INGEST_TOKEN_HEADER": env.text("INGEST_TOKEN_HEADER", "X-Ingest-Token"),
        "INGEST_TOKEN_CACHE_S": env.integer("INGEST_TOKEN_CACHE_S", 5),
        "INGEST_MAX_FUTURE_S": env.integer("INGEST_MAX_FUTURE_S", 300),
        "INGEST_MAX_BODY_BYTES": env.integer(
            "INGEST_MAX_BODY_BYTES", 64 * 1024 * 1024, minimum=1
        ),
        "IOTDP_PUBLISHERS": env.words("IOTDP_PUBLISHERS", ""),
    }
