"""Expansions per second of the stepwise search against the stand-in backend (tests/_stepwise_standin.py).

The proof space is a chain of DEPTH goals; at each, the model proposes BEAM tactics of which one makes
progress and the others fail, so a search expands DEPTH states and runs DEPTH × BEAM tactics.  What is
measured is everything the search does per expansion — the prompt, the model call (a real local HTTP
server, or `--no-http` for an in-process proposer that answers at once), parsing, refusal checks, one
JSON round trip to the stand-in's child process per tactic, scoring, deduplication and the search log
(one SQLite transaction per step).  `--crash-every N` makes every N-th state's first tactic crash the
backend, so the restart-and-replay cost shows.  Numbers go in issue notes, not in asserts.

    python benchmarks/bench_stepwise.py                    # depth 40, beam 4, with and without HTTP
    python benchmarks/bench_stepwise.py --depth 100 --beam 8 --crash-every 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from _model_servers import ModelServer  # noqa: E402
from _stepwise_standin import StandIn, main_goal  # noqa: E402

from workbench.provers.base import Task  # noqa: E402
from workbench.provers.providers import ChatClient, ProviderConfig  # noqa: E402
from workbench.provers.stepwise.propose import ModelProposer, Proposal  # noqa: E402
from workbench.provers.stepwise.protocol import Target  # noqa: E402
from workbench.provers.stepwise.record import SearchLog  # noqa: E402
from workbench.provers.stepwise.runner import Runner  # noqa: E402
from workbench.provers.stepwise.search import BestFirstSearch, SearchOptions  # noqa: E402

STATEMENT = "prelude\ninductive T : Prop where\n  | intro\ntheorem chain : T := sorry\n"


def chain_space(depth: int, beam: int, crash_every: int) -> tuple[dict, dict[str, list[str]]]:
    goals = [f"h{i} : T\n⊢ T" for i in range(depth)]
    moves, proposals = {}, {}
    for i, goal in enumerate(goals):
        nxt = [] if i == depth - 1 else [goals[i + 1]]
        good = "exact T.intro" if i == depth - 1 else f"refine (fun (h{i + 1} : T) => ?_) T.intro"
        bad = [f"exact wrong{j}" for j in range(beam - 1)]
        moves[goal] = {good: nxt, **{b: {"error": f"unknown identifier '{b.split()[1]}'"} for b in bad}}
        if crash_every and i % crash_every == crash_every - 1:
            moves[goal][bad[0]] = {"crash": "boom"}
        proposals[goal] = [*bad, good]  # the right one last: every tactic runs
    return {"theorems": {"chain": goals[0]}, "moves": moves}, proposals


class InstantProposer:
    def __init__(self, proposals: dict[str, list[str]]) -> None:
        self.proposals = proposals

    def propose(self, goals, path, k):
        return Proposal(tactics=self.proposals[goals[0]][:k])


class _Workspace:
    def __init__(self, root: Path) -> None:
        self.state_dir = root


def run_once(space: dict, proposals: dict, beam: int, depth: int, http: bool, log_dir: Path) -> dict:
    backend = StandIn(space)
    target = Target(conjecture="chain", decl="chain", module="Chain", statement_file=Path("Chain.lean"),
                    statement_text=STATEMENT, header="theorem chain : T", lean_dir=log_dir, workspace_root=log_dir,
                    memory_mb=512)
    runner = Runner(backend, target, tactic_timeout=10.0)
    log = SearchLog.begin(_Workspace(log_dir), conjecture="chain", backend="stand-in", provider="bench", model="m",
                          options={})
    server = client = None
    if http:
        server = ModelServer("openai")

        def reply(request):
            tactics = proposals[main_goal(request)]
            return server.ok("\n\n".join(f"```lean\n{t}\n```" for t in tactics))

        server.on_request = reply
        os.environ["WB_BENCH_KEY"] = "unused"
        client = ChatClient(ProviderConfig(name="bench", protocol="openai", base_url=server.base_url, model="m",
                                           api_key_env="WB_BENCH_KEY", max_retries=0))
        task = Task(conjecture="chain", statement_file=Path("Chain.lean"), statement_text=STATEMENT, decl="chain")
        proposer = ModelProposer(client, task)
    else:
        proposer = InstantProposer(proposals)
    search = BestFirstSearch(runner, proposer, SearchOptions(expansions=depth + 5, beam=beam, max_depth=depth + 5),
                             on_step=log.step)
    t0 = time.perf_counter()
    solved = list(search.run())
    elapsed = time.perf_counter() - t0
    runner.close()
    log.close()
    if client is not None:
        client.close()
    if server is not None:
        server.close()
    assert len(solved) == 1 and len(solved[0].tactics) == depth, (search.stop_reason, search.stop_message)
    return {"elapsed": elapsed, "expansions": search.expansions, "tactics": search.tactics_run,
            "restarts": runner.restarts, "replayed": runner.replayed}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--depth", type=int, default=40)
    ap.add_argument("--beam", type=int, default=4)
    ap.add_argument("--crash-every", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-http", action="store_true", help="only the in-process proposer")
    args = ap.parse_args()
    space, proposals = chain_space(args.depth, args.beam, args.crash_every)
    modes = [False] if args.no_http else [True, False]
    print(f"stand-in chain: depth {args.depth}, beam {args.beam}, crash every {args.crash_every or '-'} states; "
          f"best of {args.repeat}")
    for http in modes:
        with tempfile.TemporaryDirectory() as tmp:
            runs = [run_once(space, proposals, args.beam, args.depth, http, Path(tmp)) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["elapsed"])
        rates = [r["expansions"] / r["elapsed"] for r in runs]
        print(f"  {'HTTP model server' if http else 'in-process proposer':20s} "
              f"{best['expansions'] / best['elapsed']:7.1f} expansions/s (median {statistics.median(rates):.1f}), "
              f"{best['tactics'] / best['elapsed']:7.1f} tactics/s; {best['expansions']} expansions, {best['tactics']} tactics, "
              f"{best['restarts']} restarts, {best['replayed']} tactics replayed in {best['elapsed']:.2f} s")


if __name__ == "__main__":
    main()
