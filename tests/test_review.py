"""`wb review`: an informal argument reviewed by a model of another family, against local model servers.

The reviewer is a `[providers.NAME]` entry pointing at a scripted HTTP server speaking the OpenAI or
Anthropic protocol; the verdict lands as a `reviewed` note, visible in `wb show` and `wb list --json`,
and never settles anything.
"""

from __future__ import annotations

import json

import pytest

from _prove_fixtures import KEY, KEY_ENV, use_provider
from _ws_fixtures import commit_count, git, head, one_line_error, read_node

ARGUMENT = """\
1. Each player's mixed strategies form a compact convex set.
2. The payoff is bilinear, hence continuous, convex-concave.
3. By a fixed-point argument, max-min equals min-max.
"""


def verdict_reply(verdict: str, *, where: str = "", why: str = "", summary: str = "Looks fine.", words: str = "I checked each step.") -> str:
    obj = {"verdict": verdict, "where": where, "why": why, "summary": summary}
    return f"{words}\n\n```json\n{json.dumps(obj, indent=2)}\n```\n"


@pytest.fixture
def reviewed_ws(seeded, monkeypatch, openai_server, anthropic_server, tmp_path):
    """The seeded workspace with two reviewers: `gpt` (openai family) and `claude` (anthropic family),
    and the argument in a file."""
    use_provider(seeded, openai_server, name="gpt", extra='family = "openai"\n')
    use_provider(seeded, anthropic_server, name="claude", extra='family = "anthropic"\n')
    monkeypatch.setenv(KEY_ENV, KEY)
    (tmp_path / "arg.md").write_text(ARGUMENT, encoding="utf-8")
    return seeded


def review_args(tmp_path, *extra: str) -> list[str]:
    return ["review", "minimax", "--argument", str(tmp_path / "arg.md"), *extra]


def test_same_family_is_refused_and_nothing_is_sent(reviewed_ws, wb, tmp_path, openai_server):
    before = head(reviewed_ws)
    r = wb(*review_args(tmp_path, "--reviewer", "gpt", "--author-family", "openai"), cwd=reviewed_ws)
    line = one_line_error(r)
    assert r.exit_code == 2
    assert "same family (openai)" in line and "--allow-same-family" in line
    # the family of a prover entry counts too: an argument written by `gpt` cannot be reviewed by gpt
    r = wb(*review_args(tmp_path, "--reviewer", "gpt", "--author-family", "gpt"), cwd=reviewed_ws)
    assert "same family" in one_line_error(r)
    # an unknown author family cannot rule sameness out
    r = wb(*review_args(tmp_path, "--reviewer", "gpt"), cwd=reviewed_ws)
    assert "author family is unknown" in one_line_error(r)
    assert openai_server.requests == []
    assert head(reviewed_ws) == before


def test_reviewer_without_a_family_is_refused_unless_allowed(reviewed_ws, wb, tmp_path, openai_server):
    use_provider(reviewed_ws, openai_server, name="local")  # model "mock-prover-1", own base_url: family unknown
    r = wb(*review_args(tmp_path, "--reviewer", "local", "--author-family", "anthropic"), cwd=reviewed_ws)
    line = one_line_error(r)
    assert "'local' has no known model family" in line and "family =" in line
    openai_server.script(openai_server.ok(verdict_reply("sound")))
    r = wb(*review_args(tmp_path, "--reviewer", "local", "--author-family", "anthropic", "--allow-same-family", "--json"), cwd=reviewed_ws)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["verdict"] == "sound"


@pytest.mark.parametrize(
    ("verdict", "fields"),
    [
        ("sound", {}),
        ("gap", {"where": "step 3: the fixed-point theorem needs upper hemicontinuity"}),
        ("wrong", {"why": "step 2: a bilinear payoff is not strictly concave; the conclusion needs compactness, not strictness"}),
    ],
)
def test_each_verdict_is_recorded_as_a_reviewed_note(reviewed_ws, wb, tmp_path, openai_server, verdict, fields):
    openai_server.script(openai_server.ok(verdict_reply(verdict, summary=f"The argument is {verdict}.", **fields)))
    count = commit_count(reviewed_ws)
    r = wb(*review_args(tmp_path, "--reviewer", "gpt", "--author-family", "anthropic", "--json"), cwd=reviewed_ws)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["verdict"] == verdict and out["reviewer"] == "gpt" and out["family"] == "openai"
    assert out["author_family"] == "anthropic"
    for key, value in fields.items():
        assert out[key] == value
    assert out["summary"] == f"The argument is {verdict}."

    # what went to the reviewer: the conjecture, and the argument, with the verdict format asked for
    sent = json.dumps(openai_server.requests[-1].json)
    assert "Zero-sum games have a value." in sent and "compact convex set" in sent and "```json" in sent

    # one commit naming the reviewer, the families and the verdict; the node is not settled
    assert commit_count(reviewed_ws) == count + 1
    msg = git(reviewed_ws, "log", "-1", "--format=%s").strip()
    assert msg == f"wb review minimax: {verdict} by gpt/mock-prover-1 (openai), argument by anthropic"
    node = read_node(reviewed_ws, "minimax")
    note = node["notes"][-1]
    assert note["trust"] == "reviewed" and note["verdict"] == verdict
    assert note["family"] == "openai" and note["author"] == "gpt/mock-prover-1"
    assert note["text"].startswith(f"Review by gpt/mock-prover-1 (openai): {verdict}.")
    assert "compact convex set" in note["text"] and "I checked each step." in note["text"]
    for value in fields.values():
        assert value in note["text"]
    assert node.get("status", "informal") == "informal"

    # shown by `wb show`, and in `wb list --json`
    r = wb("show", "minimax", cwd=reviewed_ws)
    assert f"[reviewed] [{verdict}] by gpt/mock-prover-1" in r.stdout
    assert "status informal" in r.stdout
    rows = {row["id"]: row for row in json.loads(wb("list", "--json", cwd=reviewed_ws).stdout)}
    assert rows["minimax"]["last_review"]["verdict"] == verdict
    assert rows["minimax"]["last_review"]["family"] == "openai"
    assert rows["minimax"]["notes"] == 1 and rows["minimax"]["status"] == "informal"
    assert rows["sgd-margin"]["last_review"] is None
    # and on the graph page's data
    graph = json.loads(wb("graph", "--format", "json", cwd=reviewed_ws).stdout)
    assert next(n for n in graph["nodes"] if n["id"] == "minimax")["last_review"]["verdict"] == verdict


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ("I think it is basically fine, sound overall.", "no ```json block"),
        ("```json\n{\"verdict\": \"probably sound\", \"summary\": \"ok\"}\n```", "'verdict' must be"),
        ("```json\n{\"verdict\": \"gap\", \"where\": \"\", \"summary\": \"a gap somewhere\"}\n```", "must say where"),
        ("```json\n{verdict: sound}\n```", "not valid JSON"),
    ],
)
def test_unparseable_reply_is_recorded_as_such(reviewed_ws, wb, tmp_path, openai_server, reply, problem):
    openai_server.script(openai_server.ok(reply))
    r = wb(*review_args(tmp_path, "--reviewer", "gpt", "--author-family", "anthropic"), cwd=reviewed_ws)
    assert r.exit_code == 0, r.output
    assert "unparseable" in r.stdout and problem in r.stdout
    note = read_node(reviewed_ws, "minimax")["notes"][-1]
    assert note["verdict"] == "unparseable" and note["trust"] == "reviewed"
    assert reply.strip() in note["text"]
    assert "wb review minimax: unparseable by gpt" in git(reviewed_ws, "log", "-1", "--format=%s")


def test_anthropic_reviewer_for_an_openai_argument_with_dependencies(reviewed_ws, wb, tmp_path, anthropic_server):
    anthropic_server.script(anthropic_server.ok(verdict_reply("gap", where="the equilibrium step", summary="Needs the minimax lemma.")))
    (tmp_path / "arg.md").write_text("Honest play is a best response, by minimax.", encoding="utf-8")
    r = wb("review", "honest-equilibrium", "--argument", str(tmp_path / "arg.md"), "--author-family", "openai", cwd=reviewed_ws)
    assert r.exit_code == 0, r.output
    assert "gap" in r.stdout and "the equilibrium step" in r.stdout and "not a settlement" in r.stdout
    req = anthropic_server.requests[-1].json
    sent = json.dumps(req)
    assert "Zero-sum games have a value." in sent  # the dependency's statement went along
    assert "referee" in req["system"]
    assert read_node(reviewed_ws, "honest-equilibrium")["notes"][-1]["family"] == "anthropic"


def test_argument_from_stdin_and_missing_file(reviewed_ws, wb, tmp_path, openai_server):
    openai_server.script(openai_server.ok(verdict_reply("sound")))
    r = wb("review", "sgd-margin", "--argument", "-", "--reviewer", "gpt", "--author-family", "google", cwd=reviewed_ws, input="Margins grow.\n")
    assert r.exit_code == 0, r.output
    assert "Margins grow." in json.dumps(openai_server.requests[-1].json)
    r = wb("review", "sgd-margin", "--argument", str(tmp_path / "nope.md"), "--reviewer", "gpt", cwd=reviewed_ws)
    assert "no such file" in one_line_error(r)
    r = wb("review", "no-such-node", "--argument", str(tmp_path / "arg.md"), "--reviewer", "gpt", "--author-family", "google", cwd=reviewed_ws)
    assert "no conjecture 'no-such-node'" in one_line_error(r)


def test_provider_failure_records_nothing(reviewed_ws, wb, tmp_path, openai_server):
    openai_server.script(*[openai_server.error(500, "boom")] * 3)
    before = head(reviewed_ws)
    r = wb(*review_args(tmp_path, "--reviewer", "gpt", "--author-family", "anthropic"), cwd=reviewed_ws)
    assert r.exit_code != 0 and "Traceback" not in r.output
    assert head(reviewed_ws) == before
    assert "notes" not in read_node(reviewed_ws, "minimax")


def test_parse_verdict_is_strict():
    from workbench.agents.review import parse_verdict

    two = verdict_reply("gap", where="early") + "\nOn reflection:\n" + verdict_reply("wrong", why="step 1 fails")
    assert parse_verdict(two).verdict == "wrong"  # the last block is the answer
    assert parse_verdict('{"verdict": "Sound", "summary": "fine"}').verdict == "sound"  # a bare object is fine
    assert parse_verdict("").verdict == "unparseable"
    assert parse_verdict("```json\n[1, 2]\n```").problem == "the ```json block is not a JSON object"
    assert parse_verdict('```json\n{"verdict": "wrong", "why": ""}\n```').problem.startswith("a 'wrong' verdict must say why")


def test_notes_cannot_be_lean_checked_by_hand(seeded):
    from workbench.errors import UsageError
    from workbench.notes import add_note
    from workbench.workspace import Workspace

    ws = Workspace.open(seeded)
    with pytest.raises(UsageError, match="only Lean settles"):
        add_note(ws, "minimax", text="Lean would accept this.", trust="lean-checked", actor="test")
    change = add_note(ws, "minimax", text="Checked numerically for 2x2 games.", trust="numeric-check", author="ada", actor="wb note")
    assert change.message == "wb note minimax: numeric-check note by ada"
    assert ws.get("minimax").status.value == "informal"
