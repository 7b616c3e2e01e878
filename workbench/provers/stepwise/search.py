"""Best-first search over proof states: the model proposes tactics, the backend runs them, the best state is expanded next.

    search = BestFirstSearch(runner, proposer, SearchOptions(expansions=32, beam=4), on_step=log.step)
    solutions = search.run()
    solved = next(solutions)                 # a Solved path, or StopIteration when the budget ran out
    solved = solutions.send(False)           # Lean rejected the assembled proof: search on

Scoring: a state's score is the sum, along its path, of log p(rank) — the model's ranking of the
tactic among the K it proposed, with p(r) ∝ 1/(r+1) — minus `goal_weight` per open goal and
`depth_weight` per tactic.  States are deduplicated by their goals (up to whitespace): a tactic that
reaches a state already seen is recorded as `duplicate` and not expanded twice.  Budgets: expansions
(model calls), wall time, money (the model's cost), and a depth limit.  Every proposal and every tactic
run is reported to `on_step` as it happens.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import Counter
from collections.abc import Callable, Generator
from dataclasses import dataclass

from workbench.provers.stepwise.protocol import BackendError
from workbench.provers.stepwise.runner import Runner, goals_key

# what a step's `result` can be
PROPOSED = "proposed"  # a model call: the tactics it proposed for the state (tactic is None)
RESULTS = ("goals", "solved", "error", "timeout", "crash", "lost", "duplicate", "refused", "depth")


@dataclass
class SearchOptions:
    """Budgets and scoring weights of one search."""

    expansions: int = 32  # model calls (states expanded)
    beam: int = 4  # tactics asked for per state
    max_seconds: float = 600.0  # wall time
    max_usd: float | None = None  # model cost
    max_depth: int = 32  # tactics on one path
    goal_weight: float = 0.5
    depth_weight: float = 0.05


@dataclass
class Node:
    """A proof state the search reached: its path from the root, goals and score."""

    id: int
    path: tuple[str, ...]
    goals: tuple[str, ...]
    logp: float
    score: float
    parent: int | None = None
    step: int | None = None  # the step that reached it

    @property
    def depth(self) -> int:
        return len(self.path)


@dataclass
class Step:
    """One recorded event of the search: a proposal (result `proposed`) or one tactic run on a state."""

    seq: int
    expansion: int
    node: int
    goals: tuple[str, ...]
    depth: int
    result: str
    tactic: str | None = None
    rank: int | None = None
    message: str = ""
    child: int | None = None
    child_goals: tuple[str, ...] = ()
    score: float | None = None
    elapsed_s: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    model: str | None = None


@dataclass
class Solved:
    """A path the backend says closes every goal (to be assembled and verified)."""

    step: Step
    tactics: list[str]


@dataclass
class Usage:
    """Model usage: tokens, money and time spent proposing."""

    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    duration_s: float = 0.0
    calls: int = 0

    def add(self, proposal) -> None:
        self.tokens_in += proposal.tokens_in
        self.tokens_out += proposal.tokens_out
        self.cost_usd += proposal.cost_usd
        self.duration_s += proposal.duration_s
        self.calls += 1


def rank_logp(rank: int, k: int) -> float:
    """log p(rank) for the `rank`-th (0-based) of `k` proposals, p(r) = (1/(r+1)) / H_k."""
    harmonic = sum(1.0 / (i + 1) for i in range(max(k, 1)))
    return math.log((1.0 / (rank + 1)) / harmonic)


class BestFirstSearch:
    """One search for one target; `run()` is a generator of solved paths (send False to go on after a
    rejection).  Afterwards `stop_reason`, `results`, `usage`, `expansions` and `best` say what happened."""

    def __init__(self, runner: Runner, proposer, options: SearchOptions | None = None, *,
                 on_step: Callable[[Step], None] | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.runner = runner
        self.proposer = proposer
        self.options = options or SearchOptions()
        self.on_step = on_step
        self.clock = clock
        self.nodes: list[Node] = []
        self.steps = 0
        self.expansions = 0
        self.tactics_run = 0
        self.results: Counter[str] = Counter()
        self.usage = Usage()
        self.stop_reason: str | None = None
        self.stop_message: str = ""
        self.started: float | None = None
        self._seen: dict[tuple[str, ...], int] = {}
        self._frontier: list[tuple[float, int]] = []

    # -- scoring ------------------------------------------------------------------------------------

    def score(self, logp: float, goals: tuple[str, ...], depth: int) -> float:
        o = self.options
        return logp - o.goal_weight * len(goals) - o.depth_weight * depth

    @property
    def best(self) -> Node | None:
        """The deepest-scoring state reached that is not the root (what a failed search got closest to)."""
        reached = [n for n in self.nodes if n.parent is not None]
        return max(reached, key=lambda n: (n.score, -n.id)) if reached else None

    @property
    def elapsed(self) -> float:
        return 0.0 if self.started is None else self.clock() - self.started

    # -- budget -------------------------------------------------------------------------------------

    def _budget_stop(self) -> str | None:
        o = self.options
        if self.expansions >= o.expansions:
            return "expansions"
        if self.elapsed >= o.max_seconds:
            return "time"
        if o.max_usd is not None and self.usage.cost_usd >= o.max_usd:
            return "money"
        return None

    # -- events -------------------------------------------------------------------------------------

    def _emit(self, node: Node, result: str, **kw) -> Step:
        self.steps += 1
        step = Step(seq=self.steps, expansion=self.expansions, node=node.id, goals=node.goals, depth=node.depth,
                    result=result, **kw)
        if result != PROPOSED:
            self.results[result] += 1
        if self.on_step is not None:
            self.on_step(step)
        return step

    def _add(self, parent: Node | None, path: tuple[str, ...], goals: tuple[str, ...], logp: float) -> Node:
        node = Node(id=len(self.nodes), path=path, goals=goals, logp=logp,
                    score=self.score(logp, goals, len(path)), parent=None if parent is None else parent.id)
        self.nodes.append(node)
        self._seen[goals_key(goals)] = node.id
        heapq.heappush(self._frontier, (-node.score, node.id))
        self.runner.remember(path, goals)
        return node

    # -- the search ---------------------------------------------------------------------------------

    def run(self) -> Generator[Solved, bool, None]:
        self.started = self.clock()
        try:
            root_goals = self.runner.start()
        except BackendError as exc:
            self.stop_reason, self.stop_message = "backend", str(exc)
            return
        self._add(None, (), root_goals, 0.0)
        while self._frontier:
            stop = self._budget_stop()
            if stop:
                self.stop_reason = stop
                return
            _, node_id = heapq.heappop(self._frontier)
            node = self.nodes[node_id]
            if node.depth >= self.options.max_depth:
                self._emit(node, "depth", message=f"not expanded: {node.depth} tactics is the depth limit")
                continue
            proposal = self.proposer.propose(node.goals, node.path, self.options.beam)
            self.expansions += 1
            self.usage.add(proposal)
            self._emit(node, PROPOSED, message=proposal.problem or f"{len(proposal.tactics)} tactics proposed",
                       elapsed_s=round(proposal.duration_s, 3), tokens_in=proposal.tokens_in,
                       tokens_out=proposal.tokens_out, cost_usd=proposal.cost_usd, model=proposal.model)
            if proposal.problem:
                self.stop_reason, self.stop_message = "provider", proposal.problem
                return
            k = len(proposal.tactics)
            for rank, tactic in enumerate(proposal.tactics):
                if self.elapsed >= self.options.max_seconds:
                    self.stop_reason = "time"
                    return
                outcome = yield from self._try(node, tactic, rank, k)
                if outcome is not None:
                    self.stop_reason = outcome
                    return
        self.stop_reason = "exhausted"

    def _try(self, node: Node, tactic: str, rank: int, k: int) -> Generator[Solved, bool, str | None]:
        from workbench.provers.stepwise.propose import refusal

        why = refusal(tactic)
        if why is not None:
            self._emit(node, "refused", tactic=tactic, rank=rank, message=why)
            return None
        try:
            applied = self.runner.apply(node.path, tactic)
        except BackendError as exc:
            self.stop_message = str(exc)
            return "backend"
        self.tactics_run += 1
        path = (*node.path, tactic)
        logp = node.logp + rank_logp(rank, k)
        if applied.kind == "solved":
            step = self._emit(node, "solved", tactic=tactic, rank=rank, message=applied.message,
                              score=self.score(logp, (), len(path)), elapsed_s=round(applied.elapsed_s, 3))
            accepted = yield Solved(step, list(path))
            return "solved" if accepted else None
        if applied.kind != "goals":
            self._emit(node, applied.kind, tactic=tactic, rank=rank, message=applied.message,
                       elapsed_s=round(applied.elapsed_s, 3))
            return None
        seen = self._seen.get(goals_key(applied.goals))
        if seen is not None:
            self._emit(node, "duplicate", tactic=tactic, rank=rank, child=seen, child_goals=applied.goals,
                       message=f"same goals as state {seen}", elapsed_s=round(applied.elapsed_s, 3))
            return None
        child = self._add(node, path, applied.goals, logp)
        step = self._emit(node, "goals", tactic=tactic, rank=rank, child=child.id, child_goals=applied.goals,
                          score=round(child.score, 4), message=applied.message, elapsed_s=round(applied.elapsed_s, 3))
        child.step = step.seq
        return None
