"""The numeric_check tool of the MCP server: a reading tool in read-only mode, recording a note otherwise."""

from pathlib import Path
from typing import Annotated, Optional

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from workbench.agents.common import READING, WRITING, ToolGroup, client_family, client_name, tool_errors
from workbench.agents.descriptions import DESCRIPTIONS
from workbench.agents.models import NumericCheckOut
from workbench.checks.claims import MAX_CLAIM_CHARS


class CheckingTools(ToolGroup):
    """numeric_check, which records its result as a note unless the server is read-only."""

    def numeric_check(
        self,
        ctx: Context,
        id: Annotated[Optional[str], Field(description="a conjecture id: check its [check] claim and keep the result as a note")] = None,
        claim: Annotated[Optional[str], Field(description=f"a claim in sympy syntax (at most {MAX_CLAIM_CHARS} characters), e.g. 'n**2 <= 2**n', 'log(n)**2 = o(n)', 'harmonic(n) ~ log(n)'")] = None,
        vars: Annotated[dict[str, str], Field(description="a condition per variable, e.g. {\"n\": \"integer, n >= 1\", \"eps\": \"0 < eps < 1\"}")] = {},  # noqa: B006
        samples: Annotated[int, Field(ge=1, le=20_000, description="points the counterexample search evaluates")] = 1000,
        seed: Annotated[int, Field(ge=0, description="seed of the search")] = 0,
        timeout_s: Annotated[float, Field(gt=0, le=120, description="seconds before sympy is stopped")] = 30.0,
    ) -> NumericCheckOut:
        from workbench.checks.check import check_claim, numeric_check as run_check

        if id is None and claim is None:
            raise ToolError("give an id (to check its claim) or a claim (to check it without recording anything)")
        with tool_errors():
            if id is not None and not self.read_only:
                client = client_name(ctx)
                run = run_check(self.ws(), id, claim=claim, vars=vars or None, samples=samples, seed=seed, timeout=timeout_s,
                                actor="wb mcp numeric_check", author=client, family=client_family(client), client=client)
            elif id is not None and claim is None:
                stored = self.ws().get(id).check
                if stored is None:
                    raise ToolError(f"'{id}' has no claim to check")
                run = check_claim(stored, samples=samples, seed=seed, timeout=timeout_s, conj_id=id)
            else:
                run = check_claim(claim or "", vars, samples=samples, seed=seed, timeout=timeout_s, conj_id=id)
            note = run.note_change
            return NumericCheckOut(**run.result.model_dump(), claim=run.record.claim, vars=run.record.vars,
                                   recorded=note is not None, commit=note.commit if note else None)


def tools(root: Path, *, read_only: bool) -> dict:
    """numeric_check over the workspace at `root`: name -> (function, description, annotations)."""
    group = CheckingTools(root, read_only=read_only)
    return {"numeric_check": (group.numeric_check, DESCRIPTIONS["numeric_check"], READING if read_only else WRITING)}
