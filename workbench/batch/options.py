"""What a batch run is given: its provers, concurrency and limits (`BatchOptions`), and how a deadline is read."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Literal

from pydantic import BaseModel, Field

from workbench.errors import UsageError


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class BatchOptions(BaseModel):
    """Everything a run needs to start and to resume (stored as JSON in the runs table)."""

    provers: list[str] = Field(default_factory=list)  # empty: [batch] provers of workbench.toml, else portfolio + llm
    model: str | None = None
    workers: int = Field(4, ge=1)
    lean_jobs: int | None = Field(None, ge=1)  # None: from cores and memory
    attempts_per_conjecture: int = Field(1, ge=1)
    rounds: int = Field(3, ge=1)
    max_attempts: int | None = Field(None, ge=1)
    budget_usd: float | None = Field(None, ge=0)
    deadline: str | None = None  # as given ("8h", "07:00", an ISO time)
    deadline_at: datetime | None = None  # resolved when the run starts
    attempt_timeout_s: float | None = Field(None, gt=0)  # no new candidate in a unit after this long
    executor: Literal["local", "ray"] = "local"
    lean: str | None = None
    timeout: float | None = None  # one Lean check
    memory_mb: int | None = None
    sandbox: str = "auto"
    commit: bool = True


_DURATION_RE = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m)?\s*(?:(\d+(?:\.\d+)?)\s*s)?\s*$")


def parse_deadline(text: str, now: datetime | None = None) -> datetime:
    """A deadline as an absolute UTC time: a duration (`8h`, `90m`, `1h30m`, `30s`, `45` seconds), a
    local clock time (`07:00`, `7:30:15`: the next one), or an ISO time (`2026-11-24T07:00`)."""
    now = now or utcnow()
    t = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", t):
        return now + timedelta(seconds=float(t))
    m = _DURATION_RE.match(t)
    if m and any(m.groups()):
        h, mi, s = (float(g) if g else 0.0 for g in m.groups())
        return now + timedelta(hours=h, minutes=mi, seconds=s)
    m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", t)
    if m:
        hh, mm, ss = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if hh > 23 or mm > 59 or ss > 59:
            raise UsageError(f"--deadline: '{text}' is not a clock time")
        local_now = now.astimezone()
        when = local_now.replace(hour=hh, minute=mm, second=ss, microsecond=0)
        if when <= local_now:
            when += timedelta(days=1)
        return when.astimezone(timezone.utc)
    try:
        when = datetime.fromisoformat(t)
    except ValueError:
        raise UsageError(f"--deadline: cannot read '{text}'",
                         hint="use a duration (8h, 90m, 30s), a clock time (07:00) or an ISO time") from None
    if when.tzinfo is None:
        when = when.astimezone()
    return when.astimezone(timezone.utc)
