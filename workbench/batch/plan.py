"""What a batch run works on and in which order: the selection of conjectures, the provers cheapest first,
and the plan of units (one attempt of one prover on one conjecture)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from workbench.batch.options import BatchOptions
from workbench.errors import UsageError, WorkbenchError
from workbench.model import Status
from workbench.workspace import Workspace

SELECT_KEYS = ("status", "area", "tag", "kind", "id", "q")


class Selection(BaseModel):
    """Which conjectures a run works on: explicit `ids`, or a `query` (see `parse_query`), or every
    formalized, unsettled conjecture.  Only formalized, unsettled nodes are ever selected.  A node a
    numeric check refuted is selected only when named in `ids`, with `include_refuted` (to prove it), or
    with `disproofs`: then the run attempts its disproof instead."""

    ids: list[str] = Field(default_factory=list)
    query: str | None = None
    include_refuted: bool = False
    disproofs: bool = False


def parse_query(query: str) -> dict[str, Any]:
    """Parse `--select`: space-separated `key=value` terms, all of which must hold:
    `status=formalized area=oversight tag=debate kind=lemma id=a,b q=text`; a bare word is `q=word`
    (a case-insensitive substring of id, title, informal text and tags, as `wb list QUERY`)."""
    out: dict[str, Any] = {}
    for term in query.split():
        key, sep, value = term.partition("=")
        if not sep:
            key, value = "q", term
        key = key.strip().lower()
        if key not in SELECT_KEYS or not value:
            raise UsageError(f"--select: cannot read '{term}'",
                             hint="use space-separated key=value terms with keys " + ", ".join(SELECT_KEYS))
        if key == "id":
            out.setdefault("ids", []).extend(v for v in value.split(",") if v)
        elif key == "q":
            out["query"] = (out.get("query", "") + " " + value).strip()
        else:
            out[key] = value
    return out


def default_provers(ws: Workspace) -> list[str]:
    """`[batch] provers` of workbench.toml, else the portfolio then `llm` when a provider is configured."""
    batch = ws.config.get("batch", {})
    if isinstance(batch, dict) and isinstance(batch.get("provers"), list) and batch["provers"]:
        return [str(p) for p in batch["provers"]]
    return ["portfolio", "llm"] if ws.config.get("providers") else ["portfolio"]


def order_provers(ws: Workspace, names: list[str]) -> list[str]:
    """Cheapest first: the portfolio (no model), then model provers by configured price per token
    (input plus output price per million tokens), keeping the given order among equals."""
    from workbench.prove import provider_config

    seen: list[str] = []
    for n in names:
        if n not in seen:
            seen.append(n)

    def cost(name: str) -> float:
        if name == "portfolio":
            return -1.0
        try:
            cfg = provider_config(ws, name)
        except UsageError:
            raise
        except WorkbenchError:
            return float("inf")
        return cfg.price_in_per_mtok + cfg.price_out_per_mtok

    costs = {n: cost(n) for n in seen}
    return sorted(seen, key=lambda n: costs[n])


def select(ws: Workspace, selection: Selection) -> list[str]:
    """The formalized, unsettled conjectures of `selection`, most valuable first (how many open nodes a
    proof would unblock, then priority, then id)."""
    from workbench.graph import next_targets

    filters: dict[str, Any] = parse_query(selection.query) if selection.query else {}
    ids = list(dict.fromkeys([*selection.ids, *filters.pop("ids", [])]))
    for conj_id in selection.ids:
        conj = ws.get(conj_id)  # NotFoundError for a typo
        if conj.status != Status.formalized:
            raise UsageError(f"'{conj_id}' is {conj.status.value}, not formalized: a batch proves formalized, unsettled conjectures")
    rows = ws.index.rows(status=filters.get("status"), area=filters.get("area"), tag=filters.get("tag"),
                         kind=filters.get("kind"), query=filters.get("query"), ids=ids or None)
    wanted = {r["id"] for r in rows if r["recorded_status"] == Status.formalized.value}
    records = ws.records()
    if not (selection.include_refuted or selection.disproofs):
        wanted -= {i for i in wanted if records[i].refuted and i not in selection.ids}
    ranked = [t.id for t in next_targets(records, include_refuted=True) if t.id in wanted]
    rest = sorted(wanted - set(ranked))
    return ranked + rest


def plan_units(plan: dict, options: BatchOptions) -> list[tuple[str, str, str, int]]:
    """(key, conjecture, prover, k) in execution order: prover by prover (cheapest first), attempt by
    attempt, conjecture by value; the portfolio is deterministic, so it gets one attempt."""
    out = []
    for prover in plan["provers"]:
        tries = 1 if prover == "portfolio" else options.attempts_per_conjecture
        for k in range(1, tries + 1):
            for conj in plan["conjectures"]:
                out.append((f"{conj}/{prover}/{k}", conj, prover, k))
    return out
