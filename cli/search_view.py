"""How `wb attempts ID --show N` prints a stepwise attempt: its search, and the path of states and tactics."""

from __future__ import annotations

from cli.output import console

RESULT_WORDS = {"goals": "new state", "solved": "solved", "error": "failed", "timeout": "timed out",
                "crash": "crashed the backend", "lost": "lost in a restart", "duplicate": "duplicate", "refused": "refused",
                "depth": "too deep"}
ENDINGS = {"expansions": "expansion budget used up", "time": "time budget used up", "money": "money budget used up",
           "exhausted": "no untried state left", "provider": "the model provider failed", "backend": "the backend failed",
           "closed": "stopped by the caller"}


def _tried(step) -> str:
    if step.result == "goals":
        return f"→ state {step.child}"
    if step.result == "duplicate":
        return f"→ state {step.child} (already seen)"
    return RESULT_WORDS.get(step.result, step.result)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def search_json(ws, a) -> dict:
    """`{"search_log": {...}}` for `--show N --json` (the summary, every step and the path), or {}."""
    from workbench.provers.stepwise.record import read_search

    view = read_search(ws, a.search) if a.search else None
    if view is None:
        return {}
    data = view.model_dump()
    data["path"] = [s.seq for s in view.path_to(a.search_step)]
    return {"search_log": data}


def print_search(ws, a) -> None:
    """The search's summary, then each state on the path to the attempt's step: its goals and the tactic taken."""
    from rich.markup import escape

    from workbench.provers.stepwise.record import read_search

    c = console()
    view = read_search(ws, a.search)
    if view is None:
        c.print(escape(f"\nsearch {a.search}: not in the database"))
        return
    summ = view.summary
    counts = ", ".join(_plural(n, "new state") if k == "goals" else f"{n} {RESULT_WORDS.get(k, k)}"
                       for k, n in sorted(view.counts().items())) or "none"
    ended = ENDINGS.get(view.stop_reason or "", view.stop_reason or "unfinished")
    if view.stop_reason == "closed" and a.verdict == "accepted":
        ended = "solved (this attempt's proof was accepted)"
    c.print(escape(f"\nsearch {view.id} on backend {view.backend}, model {view.provider}/{view.model}: ended: {ended}"))
    c.print(escape(f"  {_plural(summ.get('expansions', 0), 'expansion')}, {_plural(summ.get('tactics', 0), 'tactic')} "
                   f"({counts}), {_plural(summ.get('states', 0), 'state')}, {_plural(summ.get('restarts', 0), 'restart')} "
                   f"({summ.get('replayed', 0)} tactics replayed), {summ.get('elapsed_s', 0):.2f} s"))
    path = view.path_to(a.search_step)
    if not path:
        c.print("  no tactic got past the first state")
        return
    last = path[-1]
    c.print(escape(f"\npath to step {last.seq} ({_plural(len(path), 'tactic')}):"))
    tried: dict[int, list] = {}
    for s in view.steps:
        if s.tactic is not None:
            tried.setdefault(s.node, []).append(s)
    for i, s in enumerate(path, 1):
        more = len(s.goals) - 1
        c.print(escape(f"  {i}. state {s.node} ({_plural(len(s.goals), 'goal')})"))
        for line in (s.goals[0] if s.goals else "").splitlines():
            c.print(escape(f"       {line}"), soft_wrap=True)
        if more:
            c.print(escape(f"       (+{_plural(more, 'more goal')})"))
        others = [o for o in tried.get(s.node, []) if o.seq != s.seq]
        if others:
            listed = "; ".join(f"`{' '.join(o.tactic.split())}` {_tried(o)}" for o in others[:6])
            c.print(escape(f"     also tried: {listed}" + (f"; +{len(others) - 6} more" if len(others) > 6 else "")), soft_wrap=True)
        if s.result == "solved":
            after = "solved"
        elif s.result == "goals":
            after = f"{_plural(len(s.child_goals), 'goal')} (state {s.child})"
        else:
            after = RESULT_WORDS.get(s.result, s.result)
        c.print(escape(f"     > {s.tactic}   → {after}"), soft_wrap=True)
