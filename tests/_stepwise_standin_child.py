"""The stand-in backend's process (see _stepwise_standin.py): serves a declared proof space over stdin/stdout.

    python -S _stepwise_standin_child.py SPACE.json

One JSON request a line (`{"op": "open", "decl": …}`, `{"op": "apply", "state": id, "tactic": …}`), one JSON
answer a line (`{"state": id, "goals": [...]}` or `{"error": …}`).  Standard library only: it starts with -S.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def serve(space_path: str) -> None:
    """The child: answer `open` and `apply` requests, one JSON object per line, until stdin closes."""
    space = json.loads(Path(space_path).read_text(encoding="utf-8"))
    states: dict[int, list[str]] = {}

    def new_state(goals: list[str]) -> dict[str, Any]:
        sid = len(states)
        states[sid] = goals
        return {"state": sid, "goals": goals}

    for line in sys.stdin:
        req = json.loads(line)
        if req["op"] == "open":
            root = space["theorems"].get(req["decl"])
            reply = new_state([root]) if root else {"error": f"unknown declaration '{req['decl']}'"}
        else:
            goals = states.get(req["state"])
            if goals is None:
                reply = {"error": f"unknown proof state {req['state']}"}
            else:
                tactic = " ".join(req["tactic"].split())
                move = space["moves"].get(goals[0], {}).get(tactic)
                if move is None:
                    reply = {"error": f"tactic '{tactic.split(' ')[0]}' failed on the main goal"}
                elif isinstance(move, list):
                    reply = new_state(move + goals[1:])
                elif "hang" in move:
                    time.sleep(move["hang"])
                    reply = {"error": "woke up"}
                elif "crash" in move:
                    sys.stderr.write(move["crash"] + "\n")
                    sys.stderr.flush()
                    os._exit(134)
                elif "alloc_mb" in move:
                    hog = bytearray(move["alloc_mb"] * 1024 * 1024)  # MemoryError under the cap: the child dies
                    reply = {"error": f"allocated {len(hog)} bytes"}
                else:
                    reply = {"error": move.get("error", "failed")}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()



if __name__ == "__main__":
    serve(sys.argv[1])
