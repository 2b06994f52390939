"""The publisher interface: what a remote IoT data platform is told, and how.

A publisher knows one platform's protocol and nothing about the outbox: the
delivery job (``app.services.outbox.delivery``) hands it an installation to
``register`` (once; the result is stored) and batches of samples to
``publish``. A call returns only after the remote side accepted; anything else
raises :class:`PublishError`.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from app.services.outbox.publishers.deadline import Deadline

#: Most bytes of an answer's body that are read (platforms answer with a little JSON).
MAX_ANSWER_BYTES = 1 << 20

#: Answers of a platform that is overloaded or down behind its proxy: the rest of
#: the run skips it, like one that does not answer.
BUSY = frozenset({429, 502, 503, 504})

#: The ``extensions`` key marking an answer whose body was not read whole.
INCOMPLETE = "airq_incomplete"


@dataclass(frozen=True)
class InstallationInfo:
    """What platforms may learn about a public installation."""

    id: int
    node_id: uuid.UUID
    node_eui64: str
    node_alias: str
    owner: str
    manufacturer: str
    trade_name: str
    sensor_type: str
    room_name: str
    room_description: str | None
    room_size_sqm: Decimal | None
    room_height_m: Decimal | None
    site_name: str
    site_description: str | None
    street: str
    zip: str
    city: str
    latitude: Decimal | None
    longitude: Decimal | None


@dataclass(frozen=True)
class SampleOut:
    """One sample as it leaves the service."""

    node_id: uuid.UUID
    time: datetime
    co2_ppm: int
    temperature_celsius: Decimal | None
    rel_humidity_percent: int | None

    @property
    def timestamp_s(self) -> int:
        """Epoch seconds of the sample."""
        return int(self.time.timestamp())

    def iso(self) -> str:
        """ISO-8601 in UTC with offset, e.g. ``2023-11-14T22:13:20+00:00``."""
        return self.time.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class Registration:
    """An installation's identity on a platform, kept in ``publisher_registrations``."""

    remote_id: str
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Batch:
    """Samples of one installation for one platform, oldest first."""

    installation: InstallationInfo
    registration: Registration | None
    samples: Sequence[SampleOut]


class PublishError(Exception):
    """The platform did not accept; the rows are retried later.

    Args:
        message: what happened, for logs and ``outbox.last_error`` (no secrets).
        unreachable: the platform did not answer (timeout, connection refused)
            or answered it is too busy or down (:data:`BUSY`); the rest of this
            run skips it.
        permanent: retrying cannot help (e.g. data the platform requires is
            missing); the rows are parked at once.
    """

    def __init__(
        self, message: str, *, unreachable: bool = False, permanent: bool = False
    ) -> None:
        super().__init__(message)
        self.unreachable = unreachable
        self.permanent = permanent


class Publisher(ABC):
    """One IoT data platform.

    Attributes:
        name: the key in ``IOTDP_PUBLISHERS`` and ``outbox.publisher``.
        needs_registration: whether ``register`` must run before ``publish``.
        max_batch: most samples per ``publish`` call.
    """

    name: ClassVar[str]
    needs_registration: ClassVar[bool] = True
    max_batch: ClassVar[int] = 500

    def __init__(self, settings: Mapping[str, Any], client: httpx.Client) -> None:
        self.settings = settings
        self.client = client

    @abstractmethod
    def register(self, installation: InstallationInfo) -> Registration:
        """Make the installation known to the platform.

        Raises:
            PublishError: the platform refused or did not answer.
        """

    @abstractmethod
    def publish(self, batch: Batch) -> None:
        """Send a batch; return only once the platform accepted it.

        Raises:
            PublishError: the platform refused or did not answer.
        """

    def post(
        self,
        url: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """POST and insist on a 2xx answer (``extensions``: httpx's, e.g. the TLS
        ``sni_hostname`` of a call aimed at a checked address).

        The whole call, status line, headers and body, takes at most the
        client's timeout (``OUTBOX_TIMEOUT_S``; a :class:`Deadline` shuts its
        connection down then), and the body is read only up to
        :data:`MAX_ANSWER_BYTES`, so a remote that answers with a huge or
        dripping status, headers or body costs neither memory nor more than the
        timeout; what was not read marks the answer incomplete (:meth:`answer`
        refuses it).

        Raises:
            PublishError: timeout, connection failure, or a non-2xx status.
        """
        host = urlsplit(url).netloc
        timeout_s = _total_timeout(self.client)
        extra = dict(extensions or {})
        with Deadline(timeout_s, extra.pop("trace", None)) as deadline:
            try:
                request = self.client.build_request(
                    "POST",
                    url,
                    json=json,
                    content=content,
                    headers=headers,
                    params=params,
                    extensions={**extra, "trace": deadline.trace},
                )
                streamed = self.client.send(request, stream=True)
            except httpx.TransportError as exc:
                # a read timed out, or the deadline ended a dripping status/header
                if isinstance(exc, httpx.TimeoutException) or deadline.expired:
                    raise PublishError(
                        f"{self.name}: no answer from {host} in time", unreachable=True
                    ) from None
                raise PublishError(
                    f"{self.name}: cannot reach {host}: {_why(exc)}", unreachable=True
                ) from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise PublishError(f"{self.name}: {host}: {_why(exc)}") from None
            response = _bounded(streamed, deadline)
        if not response.is_success:
            raise PublishError(
                f"{self.name}: {host}{urlsplit(url).path} answered "
                f"{response.status_code}{_redirect(response)}: {response.text[:200]}",
                # 410 Gone: the receiver says the address will not come back
                permanent=response.status_code == 410,
                # too busy or down for now: asking again this run only adds load
                unreachable=response.status_code in BUSY,
            )
        return response

    def answer(self, response: httpx.Response) -> Any:
        """Return the JSON body of an answer.

        Raises:
            PublishError: the body is not JSON, or was not read whole (larger
                than :data:`MAX_ANSWER_BYTES`, slower than the timeout).
        """
        if response.extensions.get(INCOMPLETE):
            raise PublishError(
                f"{self.name}: answer from {response.url.host} is larger than "
                f"{MAX_ANSWER_BYTES} bytes or slower than the timeout"
            )
        try:
            return response.json()
        except ValueError:
            raise PublishError(
                f"{self.name}: answer from {response.url.host} is not JSON"
            ) from None


def _why(exc: Exception) -> str:
    """An exception as one short line (a TLS failure names its reason)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


def _redirect(response: httpx.Response) -> str:
    """Where a redirect points (redirects are not followed: set the final URL)."""
    if not response.is_redirect:
        return ""
    location = response.headers.get("Location", "")[:200]
    return f" (a redirect to {location}, not followed; set the final URL)"


def _total_timeout(client: httpx.Client) -> float:
    """The client's longest phase timeout: what one call may take in all."""
    phases = client.timeout.as_dict().values()
    return max((float(t) for t in phases if t is not None), default=60.0)


def _bounded(streamed: httpx.Response, deadline: Deadline) -> httpx.Response:
    """Read at most :data:`MAX_ANSWER_BYTES` of ``streamed`` until ``deadline``.

    Returns:
        An answer holding what was read (decoded); its ``extensions`` mark it
        :data:`INCOMPLETE` when the body was cut short, was not decodable or
        broke off.
    """
    body = bytearray()
    incomplete = False
    try:
        for chunk in streamed.iter_bytes():
            body += chunk
            if len(body) > MAX_ANSWER_BYTES or deadline.expired:
                incomplete = True
                break
    except httpx.HTTPError:  # a timeout, a broken connection, bad gzip
        incomplete = True
    finally:
        streamed.close()
    headers = [
        (name, value)
        for name, value in streamed.headers.multi_items()
        if name.lower()
        not in {"content-encoding", "content-length", "transfer-encoding"}
    ]
    return httpx.Response(
        streamed.status_code,
        headers=headers,
        content=bytes(body[:MAX_ANSWER_BYTES]),
        request=streamed.request,
        extensions={INCOMPLETE: incomplete},
    )


def number(value: Decimal | None) -> float | None:
    """A decimal as a JSON number (platforms want numbers, not strings)."""
    return None if value is None else float(value)
