"""`wb note`: lower-trust evidence is kept on a node, never settles it, and cannot claim Lean's trust."""

from __future__ import annotations

import json

from _ws_fixtures import git, one_line_error, snapshot


def test_a_note_is_kept_with_its_trust_and_committed(wb, seeded):
    node = json.loads(wb("list", "--json", cwd=seeded).stdout)[0]["id"]
    r = wb("note", node, "Checked for n < 10^6 by brute force.", "--trust", "numeric-check", cwd=seeded)
    assert r.exit_code == 0, r.output
    shown = json.loads(wb("show", node, "--json", cwd=seeded).stdout)
    assert shown["notes"][-1]["trust"] == "numeric-check"
    assert shown["notes"][-1]["text"] == "Checked for n < 10^6 by brute force."
    assert shown["status"] == "informal"
    assert git(seeded, "log", "-1", "--format=%s").startswith(f"wb note {node}")
    assert "[numeric-check]" in wb("show", node, cwd=seeded).stdout


def test_a_note_from_a_file(wb, seeded, tmp_path):
    node = json.loads(wb("list", "--json", cwd=seeded).stdout)[0]["id"]
    arg = tmp_path / "argument.md"
    arg.write_text("By induction on the depth of the game tree.\n")
    assert wb("note", node, "--file", str(arg), cwd=seeded).exit_code == 0
    assert json.loads(wb("show", node, "--json", cwd=seeded).stdout)["notes"][-1]["trust"] == "claimed"


def test_lean_checked_and_reviewed_cannot_be_claimed_by_hand(wb, seeded):
    node = json.loads(wb("list", "--json", cwd=seeded).stdout)[0]["id"]
    before = snapshot(seeded)
    for level in ("lean-checked", "reviewed"):
        assert "only Lean settles" in one_line_error(wb("note", node, "trust me", "--trust", level, cwd=seeded))
    assert "TEXT or with --file" in one_line_error(wb("note", node, cwd=seeded))
    assert "no conjecture" in one_line_error(wb("note", "nope", "x", cwd=seeded))
    assert snapshot(seeded) == before
