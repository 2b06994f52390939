"""Configuration from the environment: every variable, its default and its meaning.

Every secret may also be given as ``<NAME>_FILE``: the path of a file holding the value
(the file wins over the plain variable; surrounding white space is trimmed), which is how
Docker secrets arrive. Booleans accept ``1/0``, ``true/false``, ``yes/no``, ``on/off``
(case-insensitive); anything else stops start-up with a message naming the variable.
gunicorn's settings (``BIND``, ``FORWARDED_ALLOW_IPS``, ``WEB_*``) are read by
``gunicorn.conf.py``; the README's table lists them too.

| Variable | Default | Meaning |
|---|---|---|
| ``SECRET_KEY`` (secret) | required | signs sessions, CSRF tokens and JWTs |
| ``DATABASE_URL`` (secret) | built from ``SQL_*`` | SQLAlchemy URL, e.g. ``postgresql+psycopg://u:p@host:5432/db`` |
| ``DATABASE_REPLICA_URL`` (secret) | none | a streaming read replica for series and analytics reads |
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
| ``LOG_FORMAT`` | ``text`` | ``text`` lines or ``json`` objects (with the request id) |
| ``HTTPS`` | ``0`` | served over HTTPS: secure cookies and HSTS |
| ``CORS_ORIGINS`` | none | browser origins allowed to call ``/api/`` (space/comma separated) |
| ``EMBED_FRAME_ANCESTORS`` | none | origins whose pages may frame the dashboard's embeds (``https://example.org``; none: this server only) |
| ``MAX_REQUEST_BYTES`` | ``10485760`` | largest request body accepted (413 above) |
| ``METRICS_ENABLED`` | ``1`` | serve Prometheus metrics at ``/metrics`` |
| ``METRICS_TOKEN`` (secret) | none | when set, ``/metrics`` needs ``Authorization: Bearer <token>`` |
| ``JOBS_METRICS_PORT`` | ``0`` | the jobs process serves its Prometheus metrics on this port of 127.0.0.1 (0: off; with a shared ``PROMETHEUS_MULTIPROC_DIR`` the web's ``/metrics`` has them) |
| ``DB_POOL_SIZE`` | ``5`` | database connections per process |
| ``DB_CONNECT_TIMEOUT_S`` | ``5`` | seconds to wait for the database before answering 503 |
| ``DB_PGBOUNCER`` | ``0`` | behind PgBouncer (transaction mode): no server-side prepared statements |
| ``DB_PING_IDLE_S`` | ``10`` | ping a pooled connection before use when idle longer than this (0: every use); one the server closed is always replaced |
| ``MEDIA_ROOT`` | ``var/media`` (in the project) | folder of uploaded installation photos |
| ``MEDIA_URL`` | ``/media/`` | where photos are served: a path (served by the app) or a URL (another server, object store) |
| ``MEDIA_MAX_IMAGE_BYTES`` | ``10485760`` | largest accepted photo upload (10 MiB) |
| ``NODE_FIDELITY_LIMIT_S`` | ``7200`` | ``L``: a node is ALIVE up to ``L`` s after its newest sample, MISSING up to ``2L``, then DEAD |
| ``NODE_FIDELITY_INTERVAL_S`` | ``300`` | seconds between fidelity checks |
| ``IOTDP_PUBLISHERS`` | none | publishers fed when ``IOTDP_INTEGRATION=1``: ``stadtpuls``, ``opensensemap``, ``webhook`` (comma list) |
| ``OUTBOX_DELIVERY_INTERVAL_S`` | ``30`` | seconds between outbox deliveries |
| ``OUTBOX_BATCH_SIZE`` | ``1000`` | outbox rows claimed per delivery run |
| ``OUTBOX_TIMEOUT_S`` | ``10`` | seconds one request to a remote platform may take |
| ``OUTBOX_MAX_ATTEMPTS`` | ``10`` | failed deliveries after which a row is parked |
| ``OUTBOX_BACKOFF_S`` / ``OUTBOX_BACKOFF_MAX_S`` | ``30`` / ``3600`` | first retry delay, doubled per failure up to the maximum |
| ``OUTBOX_RETENTION_DAYS`` | ``30`` | delivered outbox rows and alert messages are deleted after this many days |
| ``SP_SUPABASE_URL`` | Managair's | Stadtpuls Supabase base URL |
| ``SP_LOGIN_ENDPOINT`` / ``SP_SENSOR_ENDPOINT`` | ``<supabase>/auth/v1/token`` / ``<supabase>/rest/v1/sensors`` | Stadtpuls login and sensor registration |
| ``SP_RECORDS_ENDPOINT`` | required for Stadtpuls | records API base (``.../api/v3/sensors``); Managair defaulted to a staging host |
| ``SP_LOGIN_EMAIL``, ``SP_LOGIN_PWD`` (secret), ``SP_API_KEY`` (secret), ``SP_AUTH_TOKEN`` (secret) | none | Stadtpuls account, Supabase API key, records token |
| ``OSEM_API_URL`` | ``https://api.opensensemap.org`` | openSenseMap API |
| ``OSEM_EMAIL`` / ``OSEM_PASSWORD`` (secret) | none | openSenseMap account that owns the senseBoxes |
| ``WEBHOOK_URL`` / ``WEBHOOK_SECRET`` (secret) | none | webhook receiver; batches are signed with HMAC-SHA256 of the body |
| ``ALERTS_INTERVAL_S`` | ``60`` | seconds between ventilation-alert evaluations (and deliveries of their messages) |
| ``ALERTS_QUIET_PERIOD_S`` | ``1800`` | at most one message per room, rule and recipient in this many seconds; later openings wait and go out as one digest |
| ``ALERTS_WEBHOOK_URL`` / ``ALERTS_WEBHOOK_SECRET`` (secret) | none | operator-wide receiver of alert events, signed like the publisher webhook, for organizations without their own |
| ``ALERTS_WEBHOOK_ALLOW_PRIVATE`` | ``0`` | ``1``: organizations' alert webhooks may be on loopback, private, link-local or other non-public addresses (otherwise refused when saved and when called); for receivers on your own network and tests only |
| ``AGGREGATES_REFRESH_INTERVAL_S`` | ``60`` | seconds between rollup refreshes (Apache edition) |
| ``RETENTION_INTERVAL_S`` | ``3600`` | seconds between retention runs |
| ``DASHBOARD_ROLLUP_INTERVAL_S`` | ``300`` | seconds between runs of the dashboard's daily air-quality rollup |
| ``DASHBOARD_ROLLUP_DAYS`` | ``62`` | past days the rollup keeps (older months are computed from raw samples) |
| ``SAMPLES_RETENTION_DAYS`` | ``0`` | drop sample chunks older than this many days (``0`` keeps everything); the aggregates are kept |
| ``SAMPLES_CHUNK_DAYS`` | ``30`` | days per chunk of ``samples`` (new chunks; applied by migrations and ``flask series storage --apply``) |
| ``SAMPLES_COMPRESS_AFTER_DAYS`` | ``30`` | TSL edition: compress samples and aggregates older than this many days (``0``: never) |
| ``EMAIL_TIMEOUT_S`` | ``10`` | seconds to wait for the SMTP server |
| ``EMAIL_SUBJECT_PREFIX`` | ``[<SITE_NAME>] `` | put before the subject of account mail |
| ``SITE_NAME`` | ``airq`` | name of the service in account pages and mail |
| ``SITE_URL`` | none | base of the links in mail, e.g. ``https://co2.example.org``; none: the request's host (set it when ``ALLOWED_HOSTS`` is ``*``) |
| ``DEFAULT_LOCALE`` | ``en`` | language (``en`` or ``de``) when neither the user nor the browser picks one |
| ``LOGIN_REDIRECT_URL`` | ``/dashboard/`` | where the HTML login goes when it has no same-site ``next`` |
| ``DASHBOARD_DIR`` | none | folder of a single-page app's build (with ``index.html``) served at ``/dashboard/`` instead of the built-in dashboard |
| ``ACCOUNT_EMAIL_VERIFICATION`` | ``1`` | log-in needs a verified e-mail address; sign-up mails a confirmation link |
| ``SESSION_COOKIE_SECURE`` | ``0`` | send the session and ``csrftoken`` cookies over HTTPS only (set 1 in production) |
| ``SESSION_LIFETIME_S`` | ``1209600`` | seconds a browser session lasts without a request |
| ``JWT_ACCESS_LIFETIME_S`` / ``JWT_REFRESH_LIFETIME_S`` | ``900`` / ``1209600`` | lifetimes of bearer access and refresh tokens |
| ``API_KEYS_PER_USER`` | ``10`` | live API keys per user; a log-in beyond it ends the log-ins of the oldest keys |
| ``MEMBER_LOOKUP_WINDOW_S`` | ``900`` | seconds after finding a user by their exact e-mail address (``filter[search]`` of ``/api/v1/users/``) during which an OWNER may add them to an organization by id |
| ``LOGIN_RATE_LIMIT_ACCOUNT`` | ``5`` | failed log-ins per account from one client address per window before 429 (0: no limit) |
| ``LOGIN_RATE_LIMIT_ADDRESS`` | ``20`` | failed log-ins per client address per window before 429 (0: no limit) |
| ``LOGIN_RATE_LIMIT_WINDOW_S`` | ``900`` | length of the rate-limit window in seconds (every rate limit) |
| ``PASSWORD_RESET_RATE_LIMIT_ACCOUNT`` | ``3`` | account mails of each kind (password reset, e-mail confirmation, sign-up notice) per recipient address per window; beyond it no more of that kind go to the address, silently: the answer stays the same, never a 429 (0: no limit) |
| ``PASSWORD_RESET_RATE_LIMIT_ADDRESS`` | ``10`` | requests for account mail of each kind (password reset, confirmation resend or address change, sign-up) per client address per window before 429 (0: no limit) |
| ``TRUSTED_PROXY_COUNT`` | ``0`` | reverse proxies in front of the app whose ``X-Forwarded-*`` headers are trusted (client address, scheme, host) |
| ``INGEST_AUTH`` | ``token`` | ``token``: ingest needs an ingest token; ``none``: open (internal endpoint only) |
| ``INGEST_TOKEN_HEADER`` | ``X-Ingest-Token`` | extra header carrying an ingest token (webhooks of network servers) |
| ``INGEST_TOKEN_CACHE_S`` | ``5`` | seconds a worker trusts a verified ingest token (revocation delay); 0: never |
| ``INGEST_TOKEN_RATE_LIMIT_ADDRESS`` | ``20`` | unknown or revoked ingest tokens per client address per window (``LOGIN_RATE_LIMIT_WINDOW_S``) before 429 (0: no limit) |
| ``INGEST_MAX_FUTURE_S`` | ``300`` | seconds a sample's time may lie ahead of the server clock |
| ``INGEST_FAST_PATH`` | ``1`` | answer the plain new-sample ``POST /ingest/v1/ingest/`` without Flask's request machinery (0: always through the route) |
| ``INGEST_MAX_BODY_BYTES`` | ``67108864`` | largest batch body (after gzip decoding) before 413 |
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y", "t"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "n", "f", ""})
PROJECT_ROOT = Path(__file__).resolve().parent
LOG_LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})
LOCALES = ("en", "de")
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


def _optional_url(url: str | None) -> str | None:
    return _with_psycopg_driver(url) if url else None


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


def _choice(env: Env, name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.text(name, default).strip().lower()
    if value not in choices:
        raise ConfigError(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value


_ORIGIN = re.compile(r"https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?")


def _origins(env: Env, name: str) -> tuple[str, ...]:
    """Origins for a CSP source list: anything else could widen the policy."""
    origins = env.words(name, "")
    for origin in origins:
        if not _ORIGIN.fullmatch(origin):
            raise ConfigError(
                f"{name}: {origin!r} is not an origin like https://example.org"
            )
    return origins


def _http_url(env: Env, name: str, default: str = "") -> str:
    """Return an http(s) URL setting, or "" when it is unset and has no default.

    Raises:
        ConfigError: the value is not an http(s) URL with a host (and a valid port).
    """
    url = env.text(name, default)
    if not url:
        return url
    try:
        parts = urlsplit(url)
        valid = (
            parts.scheme in ("http", "https")
            and bool(parts.hostname)
            and parts.port != 0
            and url == url.strip()
            and not any(c.isspace() or ord(c) < 32 for c in url)
        )
    except ValueError:  # a port that is not a number, a malformed IPv6 host
        valid = False
    if not valid:
        raise ConfigError(
            f"{name}={url!r} is not an http(s) URL with a host, "
            "like https://example.org/path"
        )
    return url


def _media_url(env: Env) -> str:
    url = env.text("MEDIA_URL", "/media/")
    if not url.startswith(("/", "http://", "https://")):
        raise ConfigError(
            f"MEDIA_URL={url!r} must be a path starting with / or an http(s) URL"
        )
    return url if url.endswith("/") else url + "/"


def _log_level(env: Env) -> str:
    level = env.text("LOG_LEVEL", "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(
            f"LOG_LEVEL={level!r} is not one of {', '.join(sorted(LOG_LEVELS))}"
        )
    return level


def _email_settings(env: Env) -> dict[str, Any]:
    use_tls = env.flag("EMAIL_USE_TLS", default=True)
    use_ssl = env.flag("EMAIL_USE_SSL")
    if use_tls and use_ssl:
        raise ConfigError(
            "EMAIL_USE_TLS and EMAIL_USE_SSL are both on; choose one "
            "(TLS = STARTTLS, usually port 587; SSL = implicit TLS, usually 465)"
        )
    site_name = env.text("SITE_NAME", "airq")
    return {
        "EMAIL_HOST": env.text("EMAIL_HOST", "localhost"),
        "EMAIL_PORT": env.integer("EMAIL_PORT", 587, minimum=1),
        "EMAIL_HOST_USER": env.text("EMAIL_HOST_USER", ""),
        "EMAIL_HOST_PASSWORD": env.secret("EMAIL_HOST_PASSWORD") or "",
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT_S": env.integer("EMAIL_TIMEOUT_S", 10, minimum=1),
        "EMAIL_SUBJECT_PREFIX": env.text("EMAIL_SUBJECT_PREFIX", f"[{site_name}] "),
        "DEFAULT_FROM_EMAIL": env.text("DEFAULT_FROM_EMAIL", "noreply@localhost"),
        "SITE_NAME": site_name,
        "SITE_URL": env.text("SITE_URL", "").strip().rstrip("/"),
    }


def _account_settings(env: Env) -> dict[str, Any]:
    return {
        "DEFAULT_LOCALE": _choice(env, "DEFAULT_LOCALE", "en", LOCALES),
        "LOGIN_REDIRECT_URL": env.text("LOGIN_REDIRECT_URL", "/dashboard/"),
        "DASHBOARD_DIR": env.text("DASHBOARD_DIR", "").strip(),
        "ACCOUNT_EMAIL_VERIFICATION": env.flag(
            "ACCOUNT_EMAIL_VERIFICATION", default=True
        ),
        "SESSION_COOKIE_SECURE": env.flag("SESSION_COOKIE_SECURE"),
        "SESSION_LIFETIME_S": env.integer("SESSION_LIFETIME_S", 1209600, minimum=60),
        "JWT_ACCESS_LIFETIME_S": env.integer("JWT_ACCESS_LIFETIME_S", 900, minimum=10),
        "JWT_REFRESH_LIFETIME_S": env.integer(
            "JWT_REFRESH_LIFETIME_S", 1209600, minimum=60
        ),
        "API_KEYS_PER_USER": env.integer("API_KEYS_PER_USER", 10, minimum=1),
        "MEMBER_LOOKUP_WINDOW_S": env.integer("MEMBER_LOOKUP_WINDOW_S", 900, minimum=1),
        "LOGIN_RATE_LIMIT_ACCOUNT": env.integer("LOGIN_RATE_LIMIT_ACCOUNT", 5),
        "LOGIN_RATE_LIMIT_ADDRESS": env.integer("LOGIN_RATE_LIMIT_ADDRESS", 20),
        "LOGIN_RATE_LIMIT_WINDOW_S": env.integer(
            "LOGIN_RATE_LIMIT_WINDOW_S", 900, minimum=1
        ),
        "PASSWORD_RESET_RATE_LIMIT_ACCOUNT": env.integer(
            "PASSWORD_RESET_RATE_LIMIT_ACCOUNT", 3
        ),
        "PASSWORD_RESET_RATE_LIMIT_ADDRESS": env.integer(
            "PASSWORD_RESET_RATE_LIMIT_ADDRESS", 10
        ),
        "TRUSTED_PROXY_COUNT": env.integer("TRUSTED_PROXY_COUNT", 0),
    }


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
        "DATABASE_REPLICA_URL": _optional_url(env.secret("DATABASE_REPLICA_URL")),
        "DB_POOL_SIZE": env.integer("DB_POOL_SIZE", 5, minimum=1),
        "DB_CONNECT_TIMEOUT_S": env.integer("DB_CONNECT_TIMEOUT_S", 5, minimum=1),
        "DB_PGBOUNCER": env.flag("DB_PGBOUNCER"),
        "DB_PING_IDLE_S": env.integer("DB_PING_IDLE_S", 10, minimum=0),
        "ALLOWED_HOSTS": env.words("ALLOWED_HOSTS", "*"),
        "LOG_LEVEL": _log_level(env),
        "LOG_FORMAT": _choice(env, "LOG_FORMAT", "text", ("text", "json")),
        "HTTPS": env.flag("HTTPS"),
        "CORS_ORIGINS": env.words("CORS_ORIGINS", ""),
        "EMBED_FRAME_ANCESTORS": _origins(env, "EMBED_FRAME_ANCESTORS"),
        "MAX_REQUEST_BYTES": env.integer(
            "MAX_REQUEST_BYTES", 10 * 1024 * 1024, minimum=1024
        ),
        "METRICS_ENABLED": env.flag("METRICS_ENABLED", default=True),
        "METRICS_TOKEN": env.secret("METRICS_TOKEN") or "",
        "JOBS_METRICS_PORT": env.integer("JOBS_METRICS_PORT", 0),
        **_email_settings(env),
        "SENTRY": sentry,
        "SENTRY_URL": sentry_url,
        "NODE_FIDELITY": env.flag("NODE_FIDELITY"),
        "IOTDP_INTEGRATION": env.flag("IOTDP_INTEGRATION"),
        "ANALYSIS_TIMEZONE": _timezone(env, "ANALYSIS_TIMEZONE", "Europe/Berlin"),
        "MEDIA_ROOT": env.text("MEDIA_ROOT", str(PROJECT_ROOT / "var" / "media")),
        "MEDIA_URL": _media_url(env),
        "MEDIA_MAX_IMAGE_BYTES": env.integer(
            "MEDIA_MAX_IMAGE_BYTES", 10 * 1024 * 1024, minimum=1
        ),
        **_jobs(env),
        **_publishers(env),
        **_account_settings(env),
        "INGEST_AUTH": _choice(env, "INGEST_AUTH", "token", INGEST_AUTH_MODES),
        "INGEST_TOKEN_HEADER": env.text("INGEST_TOKEN_HEADER", "X-Ingest-Token"),
        "INGEST_TOKEN_CACHE_S": env.integer("INGEST_TOKEN_CACHE_S", 5),
        "INGEST_TOKEN_RATE_LIMIT_ADDRESS": env.integer(
            "INGEST_TOKEN_RATE_LIMIT_ADDRESS", 20
        ),
        "INGEST_MAX_FUTURE_S": env.integer("INGEST_MAX_FUTURE_S", 300),
        "INGEST_FAST_PATH": env.flag("INGEST_FAST_PATH", default=True),
        "INGEST_MAX_BODY_BYTES": env.integer(
            "INGEST_MAX_BODY_BYTES", 64 * 1024 * 1024, minimum=1
        ),
    }


PUBLISHER_NAMES = ("stadtpuls", "opensensemap", "webhook")
# Settings a publisher cannot work without, checked when it is enabled.
PUBLISHER_REQUIRES = {
    "stadtpuls": (
        "SP_RECORDS_ENDPOINT",
        "SP_LOGIN_EMAIL",
        "SP_LOGIN_PWD",
        "SP_API_KEY",
        "SP_AUTH_TOKEN",
    ),
    "opensensemap": ("OSEM_EMAIL", "OSEM_PASSWORD"),
    "webhook": ("WEBHOOK_URL", "WEBHOOK_SECRET"),
}
SP_SUPABASE_URL = "https://porgaqmrgwwrbwahohml.supabase.co"


def _jobs(env: Env) -> dict[str, Any]:
    """Intervals and limits of the scheduled jobs (``flask jobs run``)."""
    return {
        "NODE_FIDELITY_LIMIT_S": env.integer("NODE_FIDELITY_LIMIT_S", 7200, minimum=1),
        "NODE_FIDELITY_INTERVAL_S": env.integer(
            "NODE_FIDELITY_INTERVAL_S", 300, minimum=1
        ),
        "OUTBOX_DELIVERY_INTERVAL_S": env.integer(
            "OUTBOX_DELIVERY_INTERVAL_S", 30, minimum=1
        ),
        "OUTBOX_BATCH_SIZE": env.integer("OUTBOX_BATCH_SIZE", 1000, minimum=1),
        "OUTBOX_TIMEOUT_S": env.integer("OUTBOX_TIMEOUT_S", 10, minimum=1),
        "OUTBOX_MAX_ATTEMPTS": env.integer("OUTBOX_MAX_ATTEMPTS", 10, minimum=1),
        "OUTBOX_BACKOFF_S": env.integer("OUTBOX_BACKOFF_S", 30, minimum=1),
        "OUTBOX_BACKOFF_MAX_S": env.integer("OUTBOX_BACKOFF_MAX_S", 3600, minimum=1),
        "OUTBOX_RETENTION_DAYS": env.integer("OUTBOX_RETENTION_DAYS", 30, minimum=1),
        "AGGREGATES_REFRESH_INTERVAL_S": env.integer(
            "AGGREGATES_REFRESH_INTERVAL_S", 60, minimum=1
        ),
        "ALERTS_INTERVAL_S": env.integer("ALERTS_INTERVAL_S", 60, minimum=1),
        "ALERTS_QUIET_PERIOD_S": env.integer("ALERTS_QUIET_PERIOD_S", 1800),
        "ALERTS_WEBHOOK_URL": _http_url(env, "ALERTS_WEBHOOK_URL"),
        "ALERTS_WEBHOOK_SECRET": env.secret("ALERTS_WEBHOOK_SECRET") or "",
        "ALERTS_WEBHOOK_ALLOW_PRIVATE": env.flag("ALERTS_WEBHOOK_ALLOW_PRIVATE"),
        "RETENTION_INTERVAL_S": env.integer("RETENTION_INTERVAL_S", 3600, minimum=1),
        "DASHBOARD_ROLLUP_INTERVAL_S": env.integer(
            "DASHBOARD_ROLLUP_INTERVAL_S", 300, minimum=1
        ),
        "DASHBOARD_ROLLUP_DAYS": env.integer("DASHBOARD_ROLLUP_DAYS", 62, minimum=1),
        "SAMPLES_RETENTION_DAYS": env.integer("SAMPLES_RETENTION_DAYS", 0),
        "SAMPLES_CHUNK_DAYS": env.integer("SAMPLES_CHUNK_DAYS", 30, minimum=1),
        "SAMPLES_COMPRESS_AFTER_DAYS": env.integer("SAMPLES_COMPRESS_AFTER_DAYS", 30),
    }


def _publishers(env: Env) -> dict[str, Any]:
    """Publisher names and their settings; an enabled publisher must be complete.

    Raises:
        ConfigError: an unknown publisher name, or an enabled publisher lacks a
            setting it needs.
    """
    names = tuple(dict.fromkeys(env.words("IOTDP_PUBLISHERS", "")))
    unknown = [n for n in names if n not in PUBLISHER_NAMES]
    if unknown:
        raise ConfigError(
            f"IOTDP_PUBLISHERS: unknown publisher {unknown[0]!r}; "
            f"choose from {', '.join(PUBLISHER_NAMES)}"
        )
    supabase = _http_url(env, "SP_SUPABASE_URL", SP_SUPABASE_URL).rstrip("/")
    settings: dict[str, Any] = {
        "IOTDP_PUBLISHERS": names,
        "SP_SUPABASE_URL": supabase,
        "SP_LOGIN_ENDPOINT": _http_url(
            env, "SP_LOGIN_ENDPOINT", f"{supabase}/auth/v1/token"
        ),
        "SP_SENSOR_ENDPOINT": _http_url(
            env, "SP_SENSOR_ENDPOINT", f"{supabase}/rest/v1/sensors"
        ),
        "SP_RECORDS_ENDPOINT": _http_url(env, "SP_RECORDS_ENDPOINT").rstrip("/"),
        "SP_LOGIN_EMAIL": env.text("SP_LOGIN_EMAIL", ""),
        "SP_LOGIN_PWD": env.secret("SP_LOGIN_PWD") or "",
        "SP_API_KEY": env.secret("SP_API_KEY") or "",
        "SP_AUTH_TOKEN": env.secret("SP_AUTH_TOKEN") or "",
        "OSEM_API_URL": _http_url(
            env, "OSEM_API_URL", "https://api.opensensemap.org"
        ).rstrip("/"),
        "OSEM_EMAIL": env.text("OSEM_EMAIL", ""),
        "OSEM_PASSWORD": env.secret("OSEM_PASSWORD") or "",
        "WEBHOOK_URL": _http_url(env, "WEBHOOK_URL"),
        "WEBHOOK_SECRET": env.secret("WEBHOOK_SECRET") or "",
    }
    if env.flag("IOTDP_INTEGRATION"):
        for name in names:
            missing = [k for k in PUBLISHER_REQUIRES[name] if not settings[k]]
            if missing:
                raise ConfigError(
                    f"IOTDP_PUBLISHERS enables {name}, which needs "
                    f"{', '.join(missing)} (secrets may come from <NAME>_FILE)"
                )
    return settings
