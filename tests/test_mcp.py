"""`wb mcp` driven by the MCP SDK's own client over stdio, in real workspaces, with the offline Lean.

Each test starts the installed `wb mcp` as a subprocess (as Claude Code or Codex would), calls
tools, reads resources and prompts, and checks what a researcher then sees: `wb show`, git commits
and the files.
"""

from __future__ import annotations

import json
import os
import subprocess
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import pytest

from _lean_fixtures import lean_bin  # noqa: F401 - fixture
from _prove_fixtures import ADD_ZERO_BAD, ADD_ZERO_GOOD, STATEMENT
from _ws_fixtures import WB, git, head, snapshot

CLIENT = "test-agent"
SORRY_PROOF = "theorem add_zero (n : N) : Eq (N.add n N.z) n := sorryAx _ Bool.false\n"
ONE_ADD_ONE_WRONG = "theorem one_add_one : Eq (N.add (N.s N.z) (N.s N.z)) (N.s (N.s N.z)) := Eq.refl N.z\n"
ALL_TOOLS = {
    "list_conjectures", "show_conjecture", "next_targets", "graph_neighbourhood", "add_conjecture", "link",
    "formalize", "verify_candidate", "submit_proof", "add_note", "request_review", "numeric_check",
}
READING_TOOLS = {"list_conjectures", "show_conjecture", "next_targets", "graph_neighbourhood", "verify_candidate", "numeric_check"}


def server_env(home: Path, lean: Path | None = None, extra: dict | None = None) -> dict[str, str]:
    """The environment a client passes to `wb mcp` (the SDK's stdio client starts it with a minimal one)."""
    env = {
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
    if lean is not None:
        env["WORKBENCH_LEAN"] = str(lean)
    env.update(extra or {})
    return env


@asynccontextmanager
async def connect(root: Path, env: dict[str, str], *, read_only: bool = False):
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client
    from mcp.types import Implementation

    args = ["mcp", "--workspace", str(root)] + (["--read-only"] if read_only else [])
    params = StdioServerParameters(command=WB, args=args, cwd=str(root), env=env)
    with open(root.parent / "mcp-server.stderr", "a") as errlog:  # kept for a failing test to show
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write, client_info=Implementation(name=CLIENT, version="1.0")) as session:
                await session.initialize()
                yield session


def run(coro_fn) -> None:
    anyio.run(coro_fn)


def text_of(result) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


async def call(session, name: str, **arguments):
    """Call a tool that must succeed; return its structured output."""
    result = await session.call_tool(name, arguments)
    assert not result.is_error, f"{name} failed: {text_of(result)}"
    return result.structured_content


async def call_error(session, name: str, **arguments) -> str:
    """Call a tool that must fail with a tool error; return the message."""
    result = await session.call_tool(name, arguments)
    assert result.is_error, f"{name} unexpectedly succeeded: {result.structured_content}"
    return text_of(result)


def last_message(root: Path) -> str:
    return git(root, "log", "-1", "--format=%B").strip()


def wb_show_json(root: Path, conj_id: str, env: dict[str, str]) -> dict:
    p = subprocess.run([WB, "show", conj_id, "--json"], cwd=root, env=env, capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


# -- the whole loop --------------------------------------------------------------------------------


def test_agent_loop_find_formalize_fail_settle(workspace, git_home, lean_bin):  # noqa: F811
    root = workspace
    env = server_env(git_home, lean_bin)
    start = head(root)

    async def main():
        async with connect(root, env) as s:
            tools = await s.list_tools()
            assert {t.name for t in tools.tools} == ALL_TOOLS
            for t in tools.tools:  # typed inputs and outputs, documented for a model
                assert t.description and len(t.description) > 80, t.name
                assert t.output_schema is not None, t.name
            add = next(t for t in tools.tools if t.name == "add_conjecture")
            assert {"id", "title", "informal", "kind", "area", "tags", "sources", "uses"} <= set(add.input_schema["properties"])
            assert set(add.input_schema["required"]) == {"id", "title", "informal"}
            schema = {t.name: set(t.input_schema["properties"]) for t in tools.tools}
            assert schema["link"] == {"src", "kind", "dst"}
            assert {"id", "lean", "decl"} == schema["formalize"]
            assert {"id", "lean"} <= schema["verify_candidate"] and {"id", "lean"} <= schema["submit_proof"]
            assert {"id", "direction", "depth"} == schema["graph_neighbourhood"]

            # add two conjectures and link them; each is one commit naming the tool and client
            out = await call(s, "add_conjecture", id="add-zero", title="n + 0 = n", informal="For our naturals, n + 0 = n.", kind="lemma", area="arith", tags=["warm-up"])
            assert out["ids"] == ["add-zero"] and out["commit"]
            assert last_message(root) == f"wb mcp add_conjecture add-zero: n + 0 = n (client: {CLIENT})"
            await call(s, "add_conjecture", id="one-add-one", title="1 + 1 = 2", informal="One plus one is two.", uses=["add-zero"], sources=["Peano 1889"])
            await call(s, "add_conjecture", id="corollary", title="A corollary", informal="Follows from 1 + 1 = 2.")
            out = await call(s, "link", src="corollary", kind="uses", dst="one-add-one")
            assert last_message(root) == f"wb mcp link corollary uses one-add-one (client: {CLIENT})"

            # bad input: a cycle, an unknown id, a duplicate, oversized text — tool errors; the server keeps serving
            before = head(root)
            msg = await call_error(s, "link", src="add-zero", kind="uses", dst="corollary")
            assert "cycle" in msg and "add-zero" in msg
            assert "no conjecture 'nope'" in await call_error(s, "show_conjecture", id="nope")
            assert "already exists" in await call_error(s, "add_conjecture", id="add-zero", title="x", informal="y")
            assert "limit" in await call_error(s, "add_note", id="add-zero", text="x" * 100_001)
            assert "kebab-case" in await call_error(s, "add_conjecture", id="Bad_Id", title="x", informal="y")
            assert head(root) == before
            listed = await call(s, "list_conjectures", status="informal")
            assert listed["count"] == 3
            assert [r["id"] for r in (await call(s, "list_conjectures", tag="warm-up"))["conjectures"]] == ["add-zero"]

            # formalize: a statement that does not elaborate changes nothing and reports Lean's error
            snap = snapshot(root)
            broken = STATEMENT.replace("theorem add_zero (n : N)", "theorem add_zero (n : Nope)")
            msg = await call_error(s, "formalize", id="add-zero", lean=broken, decl="add_zero")
            assert "does not elaborate" in msg and "line" in msg
            assert snapshot(root) == snap
            assert "no theorem or lemma named 'missing'" in await call_error(s, "formalize", id="add-zero", lean=STATEMENT, decl="missing")
            out = await call(s, "formalize", id="add-zero", lean=STATEMENT, decl="add_zero")
            assert out["status"] == "formalized" and out["decl"] == "add_zero"
            assert last_message(root).startswith("wb mcp formalize add-zero: ") and f"(client: {CLIENT})" in last_message(root)
            assert (root / out["file"]).read_text() == STATEMENT
            shown = await call(s, "show_conjecture", id="add-zero")
            assert shown["status"] == "formalized" and shown["lean_statement"] == STATEMENT

            # a proof using sorry is rejected, by verify_candidate and by submit_proof; nothing settles
            before = head(root)
            out = await call(s, "verify_candidate", id="add-zero", lean=SORRY_PROOF)
            assert out["verdict"] == "rejected" and "sorry" in {r["code"] for r in out["reasons"]}
            out = await call(s, "submit_proof", id="add-zero", lean=SORRY_PROOF)
            assert out["verdict"] == "rejected" and out["settled"] is False and out["status"] == "formalized"
            assert head(root) == before
            # Lean's errors come back mapped to the candidate's lines
            out = await call(s, "verify_candidate", id="add-zero", lean="-- my attempt\n" + ADD_ZERO_BAD)
            assert out["verdict"] == "rejected" and "lean-error" in {r["code"] for r in out["reasons"]}
            errors = [m for m in out["messages"] if m["severity"] == "error" and m["in_candidate"]]
            assert errors and errors[0]["line"] == 2
            # a right proof: verify settles nothing, submit settles
            out = await call(s, "verify_candidate", id="add-zero", lean=ADD_ZERO_GOOD)
            assert out["verdict"] == "accepted"
            assert head(root) == before
            out = await call(s, "submit_proof", id="add-zero", lean=ADD_ZERO_GOOD)
            assert out["verdict"] == "accepted" and out["settled"] is True and out["status"] == "proved"
            msg = last_message(root)
            assert msg.startswith("wb mcp submit_proof add-zero: proved by") and f"(client: {CLIENT})" in msg
            assert "already proved" in await call_error(s, "submit_proof", id="add-zero", lean=ADD_ZERO_GOOD)
            assert "already proved" in await call_error(s, "formalize", id="add-zero", lean=STATEMENT, decl="add_zero")

            # notes: kept at their trust level; nobody claims lean-checked (or reviewed) by hand
            assert "lean-checked" in await call_error(s, "add_note", id="one-add-one", text="trust me", trust="lean-checked")
            assert "request_review" in await call_error(s, "add_note", id="one-add-one", text="trust me", trust="reviewed")
            out = await call(s, "add_note", id="one-add-one", text="Checked 1+1=2 numerically.", trust="numeric-check")
            assert out["trust"] == "numeric-check"
            assert last_message(root) == f"wb mcp add_note one-add-one: numeric-check note by {CLIENT} (client: {CLIENT})"

            # a failed submission on another node shows up in the prove prompt as an earlier attempt
            await call(s, "formalize", id="one-add-one", lean=STATEMENT, decl="one_add_one")
            out = await call(s, "submit_proof", id="one-add-one", lean=ONE_ADD_ONE_WRONG)
            assert out["settled"] is False
            prompt = await s.get_prompt("prove", {"id": "one-add-one"})
            text = prompt.messages[0].content.text
            assert "one_add_one" in text and "add_zero" in text  # statement, and the proved dependency
            assert "Earlier failed attempts (1)" in text and "Eq.refl N.z" in text
            prompt = await s.get_prompt("prove", {"id": "corollary"})
            assert "formalize" in prompt.messages[0].content.text

            # reading tools
            targets = (await call(s, "next_targets", limit=5))["targets"]
            assert {t["id"] for t in targets} == {"one-add-one", "corollary"}
            hood = await call(s, "graph_neighbourhood", id="corollary", direction="down", depth=1)
            assert {n["id"] for n in hood["nodes"]} == {"corollary", "one-add-one"}
            assert hood["edges"] == [{"source": "corollary", "target": "one-add-one", "kind": "uses"}]
            hood = await call(s, "graph_neighbourhood", id="corollary", direction="down", depth=None)
            assert {n["id"] for n in hood["nodes"]} == {"corollary", "one-add-one", "add-zero"}

            # resources
            templates = await s.list_resource_templates()
            assert "wb://conjecture/{id}" in {t.uri_template for t in templates.resource_templates}
            md = (await s.read_resource("wb://conjecture/add-zero")).contents[0].text
            assert md.startswith("# n + 0 = n (`add-zero`)") and "status: proved" in md and "```lean" in md
            graph = json.loads((await s.read_resource("wb://graph")).contents[0].text)
            assert {n["id"] for n in graph["nodes"]} == {"add-zero", "one-add-one", "corollary"}

    run(main)
    shown = wb_show_json(root, "add-zero", env)
    assert shown["status"] == "proved"
    assert shown["evidence"]["prover"] == CLIENT and shown["evidence"]["source"] == "wb mcp submit_proof"
    assert (root / shown["evidence"]["proof_file"]).is_file()
    log = git(root, "log", "--format=%s", f"{start}..HEAD").splitlines()
    assert all(line.startswith("wb mcp ") and f"client: {CLIENT}" in line for line in log), log
    assert git(root, "status", "--porcelain") == ""


def test_read_only_exposes_only_reading_tools(seeded, git_home):
    root = seeded
    env = server_env(git_home)
    before = snapshot(root)

    async def main():
        async with connect(root, env, read_only=True) as s:
            tools = await s.list_tools()
            assert {t.name for t in tools.tools} == READING_TOOLS
            assert all(t.annotations and t.annotations.read_only_hint for t in tools.tools)
            msg = await call_error(s, "add_conjecture", id="new-one", title="x", informal="y")
            assert "add_conjecture" in msg
            await call_error(s, "link", src="sgd-margin", kind="uses", dst="minimax")
            rows = await call(s, "list_conjectures", area="oversight")
            assert {r["id"] for r in rows["conjectures"]} == {"debate-pspace", "honest-equilibrium"}
            shown = await call(s, "show_conjecture", id="debate-pspace")
            assert {e["target"] for e in shown["edges_out"]} == {"minimax", "honest-equilibrium"}
            assert shown["sources"][0]["arxiv"] == "1805.00899"
            # unformalized: verify_candidate answers with a clear tool error, and the server goes on
            assert "no formal statement" in await call_error(s, "verify_candidate", id="minimax", lean="theorem x : True := trivial")
            assert (await call(s, "next_targets"))["targets"][0]["id"] == "minimax"
            # resources and the prompt are there in read-only mode too; unknown ids are errors, not crashes
            md = (await s.read_resource("wb://conjecture/debate-pspace")).contents[0].text
            assert "Irving et al. 2018" in md and "`debate-pspace` uses `minimax`" in md
            with pytest.raises(Exception, match="no conjecture 'nope'"):
                await s.read_resource("wb://conjecture/nope")
            with pytest.raises(Exception, match="no conjecture 'nope'"):
                await s.get_prompt("prove", {"id": "nope"})
            prompt = await s.get_prompt("prove", {"id": "minimax"})
            assert "no formal statement yet" in prompt.messages[0].content.text
            assert (await call(s, "list_conjectures"))["count"] == 4

    run(main)
    assert snapshot(root) == before


def test_numeric_check_through_mcp(seeded, git_home, tmp_path):
    """A model checks its own formula: ad hoc (nothing recorded), on a node (claim and note, one commit each,
    naming the tool and client), a claim that would run code (a tool error, nothing runs), and read-only mode."""
    root = seeded
    env = server_env(git_home)
    marker = tmp_path / "pwned"

    async def main():
        async with connect(root, env) as s:
            before = head(root)
            out = await call(s, "numeric_check", claim="n**(1/100) = O(log(n)**10)", vars={"n": "integer, n >= 1"})
            assert (out["result"], out["method"], out["recorded"]) == ("refuted", "limit", False)
            assert head(root) == before
            msg = await call_error(s, "numeric_check", claim=f"__import__('os').system('touch {marker}') = 0")
            assert "refused" in msg and "__import__('os').system" in msg
            out = await call(s, "numeric_check", id="sgd-margin", claim="n**2 <= 2**n", vars={"n": "integer, n >= 1"})
            assert out["result"] == "refuted" and out["witness"] == {"n": "3"} and out["recorded"] and out["commit"]
            log = git(root, "log", "-2", "--format=%s").splitlines()
            assert log == [f"wb mcp numeric_check sgd-margin: refuted (sampling, witness n = 3) (client: {CLIENT})",
                           f"wb mcp numeric_check sgd-margin: claim `n**2 <= 2**n` (client: {CLIENT})"]
            targets = [t["id"] for t in (await call(s, "next_targets"))["targets"]]
            assert "sgd-margin" not in targets
            rows = {r["id"]: r for r in (await call(s, "list_conjectures"))["conjectures"]}
            assert rows["sgd-margin"]["numeric_check"]["result"] == "refuted"
            assert "give an id" in await call_error(s, "numeric_check")
        state = snapshot(root)
        async with connect(root, env, read_only=True) as s:
            out = await call(s, "numeric_check", id="sgd-margin")
            assert out["result"] == "refuted" and not out["recorded"]
        assert snapshot(root) == state

    run(main)
    assert not marker.exists()
    note = wb_show_json(root, "sgd-margin", env)["notes"][-1]
    assert note["trust"] == "numeric-check" and note["author"] == CLIENT


def test_mcp_outside_a_workspace_fails_before_the_protocol(tmp_path, git_home):
    p = subprocess.run([WB, "mcp", "--workspace", str(tmp_path)], env=server_env(git_home), capture_output=True,
                       text=True, stdin=subprocess.DEVNULL, timeout=30)
    assert p.returncode != 0 and p.stdout == ""
    assert "not a workbench workspace" in p.stderr


def test_request_review_through_mcp(seeded, git_home, openai_server):
    from _prove_fixtures import KEY, KEY_ENV, use_provider

    root = seeded
    use_provider(root, openai_server, name="gpt", extra='family = "openai"\n')
    env = server_env(git_home, extra={KEY_ENV: KEY})
    reply = 'Step 2 is fine.\n```json\n{"verdict": "gap", "where": "step 3", "why": "", "summary": "Step 3 assumes the value exists."}\n```'
    openai_server.script(openai_server.ok(reply))

    async def main():
        async with connect(root, env) as s:
            msg = await call_error(s, "request_review", id="minimax", argument="By compactness.", reviewer="gpt", author_family="openai")
            assert "same family" in msg
            assert "unknown" in await call_error(s, "request_review", id="minimax", argument="By compactness.", reviewer="gpt")
            out = await call(s, "request_review", id="minimax", argument="1. Take mixed strategies. 2. ... 3. The value exists.",
                             reviewer="gpt", author_family="anthropic")
            assert out["verdict"] == "gap" and out["where"] == "step 3" and out["family"] == "openai"
            assert out["commit"]

    run(main)
    assert len(openai_server.requests) == 1
    assert "Zero-sum games have a value." in json.dumps(openai_server.requests[0].json)
    msg = last_message(root)
    assert msg.startswith("wb mcp request_review minimax: gap by gpt/mock-prover-1 (openai), argument by anthropic")
    assert f"(client: {CLIENT})" in msg
    shown = wb_show_json(root, "minimax", server_env(git_home))
    assert shown["status"] == "informal"
    assert shown["notes"][-1]["trust"] == "reviewed" and shown["notes"][-1]["verdict"] == "gap"


def test_agent_setup_installs_the_guide_once(workspace, wb):
    root = workspace
    r = wb("agent-setup", "--claude", cwd=root)
    assert r.exit_code == 0, r.output
    skill = root / ".claude" / "skills" / "conjecture-workbench" / "SKILL.md"
    text = skill.read_text()
    assert text.startswith("---\nname: conjecture-workbench\ndescription: ")
    for must in ("next_targets", "formalize", "verify_candidate", "request_review", "Never claim a result Lean has not accepted"):
        assert must in text
    assert not (root / "AGENTS.md").exists()
    assert "claude mcp add" in r.stdout
    assert git(root, "log", "-1", "--format=%s").strip() == "wb agent-setup: Claude Code skill"

    (root / "AGENTS.md").write_text("# Notes for agents\n\nBe kind.\n")
    r = wb("agent-setup", "--codex", cwd=root)
    assert r.exit_code == 0, r.output
    agents = (root / "AGENTS.md").read_text()
    assert agents.startswith("# Notes for agents\n\nBe kind.\n") and "verify_candidate" in agents
    assert "codex mcp add" in r.stdout
    count = int(git(root, "rev-list", "--count", "HEAD"))
    r = wb("agent-setup", cwd=root)  # both, already up to date: no change, no commit
    assert r.exit_code == 0 and "already up to date" in r.stdout
    assert int(git(root, "rev-list", "--count", "HEAD")) == count
    assert (root / "AGENTS.md").read_text() == agents
