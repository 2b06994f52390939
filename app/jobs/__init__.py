"""The scheduled jobs of the service, run by ``flask jobs run`` (see ``runner.py``).

A job is a function ``(session) -> result`` named by its dotted path and imported
only when the jobs process starts, so a job whose module is not part of this
build is left out with a reason (``flask jobs list`` shows it) instead of
breaking the process. Jobs are idempotent; their bodies live in ``services/``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.orm import Session

JobFunction = Callable[[Session], object]


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job.

    Attributes:
        id: stable key: lock name, ``job_runs`` row, CLI argument.
        function: ``"package.module:function"``, called with the run's session.
        interval_setting: the setting holding the interval in seconds.
        description: one line for ``flask jobs list``.
        requires: settings that must be true for the job to be scheduled.
        editions: TimescaleDB editions the job is needed on; empty means all.
    """

    id: str
    function: str
    interval_setting: str
    description: str
    requires: tuple[str, ...] = ()
    editions: tuple[str, ...] = ()

    def interval_s(self, config: Mapping[str, Any]) -> int:
        """Return the configured interval in seconds."""
        return int(config[self.interval_setting])


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        id="fidelity-check",
        function="app.jobs.tasks:check_fidelity",
        interval_setting="NODE_FIDELITY_INTERVAL_S",
        description="classify every node as alive, missing, dead or unknown",
        requires=("NODE_FIDELITY",),
    ),
    JobSpec(
        id="outbox-delivery",
        function="app.jobs.tasks:deliver_outbox",
        interval_setting="OUTBOX_DELIVERY_INTERVAL_S",
        description="deliver public samples to the enabled IoT data platforms",
        requires=("IOTDP_INTEGRATION",),
    ),
    JobSpec(
        id="aggregates-refresh",
        function="app.services.series.aggregates:refresh",
        interval_setting="AGGREGATES_REFRESH_INTERVAL_S",
        description="recompute the rollup buckets touched by new samples",
        editions=("apache",),
    ),
    JobSpec(
        id="alerts-evaluate",
        function="app.jobs.tasks:evaluate_alerts",
        interval_setting="ALERTS_INTERVAL_S",
        description="open and clear ventilation alerts from new samples; queue messages",
    ),
    JobSpec(
        id="alerts-delivery",
        function="app.jobs.tasks:deliver_alerts",
        interval_setting="ALERTS_INTERVAL_S",
        description="send queued alert mails and webhook calls (retried until delivered)",
    ),
    JobSpec(
        id="retention",
        function="app.jobs.tasks:apply_retention",
        interval_setting="RETENTION_INTERVAL_S",
        description="drop expired sample chunks and delivered outbox rows",
    ),
    JobSpec(
        id="dashboard-rollup",
        function="app.jobs.tasks:roll_up_room_days",
        interval_setting="DASHBOARD_ROLLUP_INTERVAL_S",
        description="write each room's daily air-quality figures for the dashboard",
    ),
)


@dataclass(frozen=True)
class ResolvedJob:
    """A job as this process sees it: runnable (``function``) or not (``reason``)."""

    spec: JobSpec
    interval_s: int
    function: JobFunction | None
    reason: str | None = None

    @property
    def schedulable(self) -> bool:
        """Whether the jobs process schedules this job."""
        return self.function is not None


class JobUnavailableError(LookupError):
    """A job's function cannot be imported in this build."""


def load_function(dotted: str) -> JobFunction:
    """Import ``"package.module:function"``.

    Raises:
        JobUnavailableError: the module is not part of this build, or lacks the
            function. Errors inside an existing module propagate.
    """
    module_name, _, attribute = dotted.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        parts = module_name.split(".")
        if exc.name in {".".join(parts[:i]) for i in range(1, len(parts) + 1)}:
            raise JobUnavailableError(f"module {module_name} is missing") from exc
        raise
    function = getattr(module, attribute, None)
    if not callable(function):
        raise JobUnavailableError(f"{module_name} has no function {attribute}")
    return cast(JobFunction, function)


def resolve(
    config: Mapping[str, Any],
    edition: str,
    specs: Sequence[JobSpec] = JOBS,
) -> list[ResolvedJob]:
    """Decide, for each job, whether this process schedules it and with what.

    Args:
        config: the application's settings.
        edition: the TimescaleDB edition (``apache`` or ``timescale``).
        specs: the jobs to resolve.

    Returns:
        One entry per spec, in order; unschedulable ones carry a reason.
    """
    resolved = []
    for spec in specs:
        interval = spec.interval_s(config)
        off = [name for name in spec.requires if not config.get(name)]
        if off:
            reason = f"disabled: set {'=1, '.join(off)}=1"
        elif spec.editions and edition not in spec.editions:
            reason = f"not needed on the {edition} edition"
        else:
            try:
                function = load_function(spec.function)
            except JobUnavailableError as exc:
                reason = f"unavailable: {exc}"
            else:
                resolved.append(ResolvedJob(spec, interval, function))
                continue
        resolved.append(ResolvedJob(spec, interval, None, reason))
    return resolved
