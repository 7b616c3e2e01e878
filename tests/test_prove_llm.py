"""`wb prove` with model provers, against real local HTTP servers (OpenAI and Anthropic shapes) and the real
offline Lean on `prelude` statements.  The client is never patched: what the servers receive is what a
real service would."""

from __future__ import annotations

import json
import subprocess

import pytest

from _prove_fixtures import (  # noqa: F401 - fixtures
    ADD_ZERO_BAD, ADD_ZERO_GOOD, KEY, KEY_ENV, STATEMENT, git_log_patch, lean_bin, proving_ws, reply_with, use_provider,
)

pytestmark = pytest.mark.lean


def _chat(request):
    """The conversation of a request without the system prompt (OpenAI sends it as a message)."""
    return [m for m in request.messages if m["role"] != "system"]


def _attempts_json(wb, root, conj="add-zero"):
    r = wb("attempts", conj, "--json", cwd=root)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _assert_key_nowhere(root, *outputs):
    """The key is in no file of the workspace (the database included), no commit, no output."""
    raw = KEY.encode()
    for path in root.rglob("*"):
        if path.is_file():
            assert raw not in path.read_bytes(), f"the key leaked into {path}"
    assert KEY not in git_log_patch(root)
    for out in outputs:
        assert KEY not in out


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
def test_settles_after_one_repair_round(proving_ws, openai_server, anthropic_server, wb, protocol):
    """Done-when of issue 4: a model that needs one repair round settles a formalized conjecture with the
    real offline Lean, the second request carries Lean's error, and `wb attempts` shows both attempts."""
    server = openai_server if protocol == "openai" else anthropic_server
    root = proving_ws.root
    use_provider(root, server)
    server.script(
        server.ok(reply_with(ADD_ZERO_BAD, "Try reflexivity."), tokens_in=900, tokens_out=120, model="mock-prover-1"),
        server.ok(reply_with(ADD_ZERO_GOOD, "Fixed: `Eq.refl` needs its argument."), tokens_in=1500, tokens_out=80,
                  model="mock-prover-1"),
    )
    r = wb("prove", "add-zero", "--prover", "mock", cwd=root)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert " 1.1 " in lines[0] and "rejected" in lines[0] and "lean-error" in lines[0]
    assert " 1.2 " in lines[1] and "accepted" in lines[1]
    assert "add-zero is now proved by mock/mock-prover-1" in r.stdout

    # the repair went back in the same conversation, carrying Lean's message with its position
    assert len(server.requests) == 2
    first, second = (_chat(req) for req in server.requests)
    assert len(first) == 1 and len(second) == 3
    assert second[0] == first[0] and second[1]["role"] == "assistant" and "Try reflexivity." in second[1]["content"]
    repair = second[2]["content"]
    assert "Lean rejected the proof" in repair and "error at line 1" in repair
    attempts = _attempts_json(wb, root)
    lean_error = attempts[0]["messages"][0]["text"]
    assert lean_error.split("\n")[0] in repair
    assert "theorem add_zero" in first[0]["content"] and "For our naturals" in first[0]["content"]

    # settled exactly as `wb check --proof` does: proof file, evidence, commit naming prover and model
    node = (root / "conjectures" / "add-zero.toml").read_text()
    assert 'status = "proved"' in node and 'prover = "mock"' in node and 'model = "mock-prover-1"' in node
    msg = subprocess.run(["git", "log", "-1", "--format=%s"], cwd=root, capture_output=True, text=True).stdout
    assert "add-zero" in msg and "mock/mock-prover-1" in msg
    module = next((root / "lean" / "Conjectures").glob("*.lean")).read_text()
    assert "-- wb:begin proof add-zero" in module and "Eq.refl n" in module

    # both attempts are visible, with tokens and cost at the configured prices
    assert [(a["round"], a["verdict"]) for a in attempts] == [(1, "rejected"), (2, "accepted")]
    assert attempts[0]["reasons"][0]["code"] == "lean-error"
    assert attempts[1]["settled"] is True and attempts[1]["tokens_in"] == 1500
    assert attempts[0]["cost_usd"] == pytest.approx((900 * 3 + 120 * 15) / 1e6)
    assert attempts[0]["provider"] == "mock" and attempts[0]["prover"] == "llm"
    assert all(a["prompt_hash"] for a in attempts) and attempts[0]["prompt_hash"] != attempts[1]["prompt_hash"]
    table = wb("attempts", "add-zero", cwd=root)
    assert "mock" in table.stdout and "lean-error" in table.stdout and "settled" in table.stdout
    shown = wb("attempts", "add-zero", "--show", str(attempts[0]["no"]), cwd=root)
    assert "Eq.refl" in shown.stdout and "error at line 1" in shown.stdout

    # the key reached the server, and nothing else
    sent = server.requests[0].headers
    assert KEY in (sent.get("authorization", "") + sent.get("x-api-key", ""))
    _assert_key_nowhere(root, r.output, table.output, shown.output)


def test_429_then_success(proving_ws, openai_server, wb):
    """A 429 with Retry-After is retried after the wait; the reply restates the whole statement file
    (as models usually do) and is normalized to the candidate."""
    root = proving_ws.root
    use_provider(root, openai_server)
    whole_file = STATEMENT.replace(
        "theorem add_zero (n : N) : Eq (N.add n N.z) n := sorryAx _ Bool.false", ADD_ZERO_GOOD.strip()
    )
    openai_server.script(
        openai_server.error(429, "slow down", headers={"Retry-After": "1"}),
        openai_server.ok(reply_with(whole_file)),
    )
    r = wb("prove", "add-zero", "--prover", "mock", cwd=root)
    assert r.exit_code == 0, r.output
    assert len(openai_server.requests) == 2
    gap = openai_server.requests[1].time - openai_server.requests[0].time
    assert gap >= 0.9  # Retry-After honoured
    attempts = _attempts_json(wb, root)
    assert len(attempts) == 1 and attempts[0]["verdict"] == "accepted"


def test_401_is_one_line_exit_2(proving_ws, openai_server, wb):
    """A refused key stops at once: one line naming the variable, exit 2 (a set-up problem), nothing recorded."""
    root = proving_ws.root
    openai_server.api_key = "sk-the-right-one"  # the server echoes the wrong key it got, as careless ones do
    use_provider(root, openai_server)
    r = wb("prove", "add-zero", "--prover", "mock", cwd=root)
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "401" in lines[0] and KEY_ENV in lines[0], r.stderr
    assert "Traceback" not in r.output and r.stdout == ""
    assert len(openai_server.requests) == 1
    assert _attempts_json(wb, root) == []
    _assert_key_nowhere(root, r.output)


def test_missing_key_is_one_line(proving_ws, anthropic_server, wb, monkeypatch):
    root = proving_ws.root
    use_provider(root, anthropic_server)
    monkeypatch.delenv(KEY_ENV)
    r = wb("prove", "add-zero", "--prover", "mock", cwd=root)
    assert r.exit_code == 2
    assert r.stderr.strip().count("\n") == 0 and f"no API key: set {KEY_ENV}" in r.stderr
    assert anthropic_server.requests == []


def test_hanging_server_records_a_timeout(proving_ws, openai_server, wb):
    root = proving_ws.root
    use_provider(root, openai_server, timeout_s=1, max_retries=0)
    openai_server.script(openai_server.hang(30))
    r = wb("prove", "add-zero", "--prover", "mock", cwd=root)
    assert r.exit_code == 1, r.output
    assert "provider" in r.stdout and "not settled" in r.stdout
    (a,) = _attempts_json(wb, root)
    assert a["verdict"] == "rejected" and a["reasons"][0]["code"] == "provider"
    assert "within 1 s" in a["problem"] and a["candidate"] is None
    assert 'status = "formalized"' in (root / "conjectures" / "add-zero.toml").read_text()


def test_reply_without_code_is_a_rejected_attempt_then_repaired(proving_ws, anthropic_server, wb):
    root = proving_ws.root
    use_provider(root, anthropic_server)
    anthropic_server.script(
        anthropic_server.ok("I believe this follows from reflexivity, but I cannot write it down."),
        anthropic_server.ok(reply_with(ADD_ZERO_GOOD)),
    )
    r = wb("prove", "add-zero", "--prover", "mock", "--rounds", "2", cwd=root)
    assert r.exit_code == 0, r.output
    first, second = _attempts_json(wb, root)
    assert first["verdict"] == "rejected" and first["reasons"][0]["code"] == "bad-input"
    assert "no Lean code" in first["problem"] and first["candidate"] is None
    assert "reflexivity" in first["reply"]
    assert second["verdict"] == "accepted"
    repair = _chat(anthropic_server.requests[1])[-1]["content"]
    assert "no Lean code" in repair


def test_truncated_and_garbage_replies_are_recorded_not_crashes(proving_ws, openai_server, wb):
    root = proving_ws.root
    use_provider(root, openai_server)
    openai_server.script(
        openai_server.ok("```lean\ntheorem add_zero (n : N) : Eq (N.add n", finish="length"),
        _garbage(),
        openai_server.ok(reply_with("theorem add_zero (n : N) : Eq (N.add n N.z) n := (((")),
    )
    r = wb("prove", "add-zero", "--prover", "mock", "--rounds", "3", cwd=root)
    assert r.exit_code == 1, r.output
    a1, a2, a3 = _attempts_json(wb, root)
    assert "cut off" in a1["problem"] and a1["reasons"][0]["code"] == "bad-input"
    assert a2["verdict"] == "rejected" and a2["problem"]
    assert a3["verdict"] == "rejected" and a3["reasons"][0]["code"] in ("lean-error", "bad-input")
    assert "Traceback" not in r.output


def _garbage():
    from _model_servers import Reply

    return Reply(200, "<html>502 Bad Gateway</html>", content_type="text/html")


def test_attempts_k_fresh_conversations(proving_ws, openai_server, wb):
    """--attempts 2 --rounds 1: two independent conversations; the second is told about the first failure."""
    root = proving_ws.root
    use_provider(root, openai_server)
    openai_server.script(openai_server.ok(reply_with(ADD_ZERO_BAD)), openai_server.ok(reply_with(ADD_ZERO_GOOD)))
    r = wb("prove", "add-zero", "--prover", "mock", "--rounds", "1", "--attempts", "2", "--json", cwd=root)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["settled"] is True and [a["attempt"] for a in data["attempts"]] == [1, 2]
    second = _chat(openai_server.requests[1])
    assert len(second) == 1 and "earlier attempt" in second[0]["content"] and "Eq.refl" in second[0]["content"]
