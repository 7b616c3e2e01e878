"""The scan's lexer against Lean's own parse: where the scan sees a command start, the offline Lean runs one.

Every `#check P` that Lean runs prints `P : Type` (or the type of what it checks) at the command's position;
the lexer must find exactly those `#check` tokens, no more (it would refuse honest text) and no fewer (a
command would hide from the scan). Inputs are generated from seeded random pieces (glued digits, raw strings
with many `#`, nested comments, «» names, character literals, doc comments, strings with escapes) and listed
by hand for the adversarial cases.
"""

from __future__ import annotations

import json
import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from _lean_fixtures import lean_bin  # noqa: F401  (fixture)
from workbench.errors import LexError
from workbench.lean.source import LineIndex, tokenize

pytestmark = pytest.mark.lean

HEAD = "prelude\ninductive P : Type where | p\n"
PROBE = "#check P"


def scan_probes(text: str) -> set[tuple[int, int]]:
    lines = LineIndex(text)
    return {(lines.line(t.start), lines.column(t.start)) for t in tokenize(text) if t.kind == "hash" and t.text == "#check"}


def lean_run(lean: Path, folder: Path, text: str) -> tuple[set[tuple[int, int]], list[str]]:
    """Positions of the information messages (the `#check` results) Lean prints for `text`, and its parse errors."""
    source = folder / f"T{abs(hash(text))}.lean"
    source.write_bytes(text.encode())
    out = subprocess.run([str(lean), "--json", str(source)], capture_output=True, text=True, timeout=60).stdout
    messages = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    probes = {(m["pos"]["line"], m["pos"]["column"]) for m in messages if m["severity"] == "information"}
    elaboration = ("Unknown constant", "Unknown identifier", "Type mismatch")
    errors = [m["data"] for m in messages if m["severity"] == "error" and not m["data"].startswith(elaboration)]
    return probes, errors


def _literal(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return rng.choice(["512", "0", "007", "1_000_000", "0x1F", "0XaB_c", "0b1_01", "0o17", "1.5e3", "2.", "1e5", "1E+5", "3.25E-2", "0.5", "2.e3"])
    if kind == 1:
        pieces = ["a", " ", "\\n", "\\\"", "\\\\", "\\x41", "\\u00e9", PROBE, "--", "/-", "-/", "'", "«", "#", "r#", "{x}", "\\\n    "]
        return '"' + "".join(rng.choice(pieces) for _ in range(rng.randrange(6))) + '"'
    if kind == 2:
        hashes = "#" * rng.choice([0, 1, 2, 5, 40, 300])
        inner = ['"' + "#" * n for n in range(len(hashes))][-3:] if hashes else []
        pieces = ["x", " ", PROBE, "\\", "'", "--", "/-"] + inner
        return f'r{hashes}"' + "".join(rng.choice(pieces) for _ in range(rng.randrange(6))) + f'"{hashes}'
    if kind == 3:
        return rng.choice(["'a'", "'\"'", "'\\''", "'\\\\'", "'-'", "'/'", "'#'", "'\\x41'", "'\\u0041'", "'«'", "'λ'", "'{'"])
    return rng.choice(["`foo", "`foo.bar", "`«a b»", "`x'"])


def _comment(rng: random.Random, depth: int = 0) -> str:
    pieces = ["x", PROBE, '"', "'", "--", "«", "r#\"", "#exit"]
    body = []
    for _ in range(rng.randrange(5)):
        body.append(_comment(rng, depth + 1) if depth < 3 and rng.random() < 0.3 else rng.choice(pieces))
    return "/- " + " ".join(body) + " -/"


def _command(rng: random.Random, i: int) -> str:
    kind = rng.randrange(8)
    if kind == 0:
        return PROBE
    if kind == 1:
        glue = rng.choice(["", " ", "\n"])
        tail = rng.choice([PROBE, f"unsafe def u{i} := P.p", "set_option pp.all true in #check P", f"def g{i} := P.p"])
        return f"def d{i} := {_literal(rng)}{glue}{tail}"
    if kind == 2:
        return f"def d{i} := {_literal(rng)}"
    if kind == 3:
        return _comment(rng) + rng.choice(["", " ", "\n"]) + PROBE
    if kind == 4:
        opening = rng.choice(["/-- ", "/--", "/-! ", "/--\n", "/-- /- c -/ ", "/-! /-/- -/ ", "/-- -- c\n"])
        return opening + "x " + _comment(rng)[3:] + f"\ndef c{i} := P.p"
    if kind == 5:
        name = rng.choice(["a b", PROBE, "x.y", "-- c", "/-", '"', "'", "#exit"])
        return f"def n{i}.«{name}» := P.p" + rng.choice(["", " ", "\n"]) + PROBE
    if kind == 6:
        return f"def x{i}' := P.p -- {PROBE}\n" + rng.choice(["", "  "]) + PROBE
    return f"def e{i} := P.p{PROBE}"


def generated(seed: int, count: int = 40) -> str:
    rng = random.Random(seed)
    commands = [_command(rng, i) for i in range(count)]
    return HEAD + "".join(c + rng.choice([" ", "\n", "\n\n", " -- c\n"]) for c in commands) + "\n"


AGREE = [
    "def a := 512#check P",
    "def a := 512unsafe def b := P.p\n#check b",
    "def a := 512set_option pp.all true in #check P",
    "def a := 0x1Funsafe def b := P.p #check b",
    "def a := 1.5e3#check P\ndef b := 2.#check P\ndef c := 1_000#check P\ndef d := 0b101#check P",
    "def a := r#\"x\"# #check P",
    'def a := r##"a"#"## #check P',
    'def a := r"\\" #check P',
    "def a := r" + "#" * 300 + '"\\"' + "#" * 299 + ' #check P "' + "#" * 300 + " #check P",
    "def a := r" + "#" * 300 + '"\\"' + "#" * 300 + ' #check P -- "',
    'def a := "\\\\" #check P',
    'def a := "\\" #check P -- "',
    "def a := '\"' #check P -- \"",
    "def a := '\\'' #check P",
    "/-/- -/ #check P",
    "/- /- nested -/ #check P -/ #check P",
    "/-- doc /- nested -/ #check P -/ def a := P.p #check P",
    "/--/ -/ def a := P.p #check P",
    "/-! module /- -/ #check P -/ #check P",
    "/- -/#check P --/",
    "def «a #check P» := P.p #check P",
    "def a.«b c».d := P.p #check P",
    'def a := "s\\x41\\u0041\\n\\t" #check P',
    'def a := "gap \\\n     here" #check P',
    'def a := "{x}" #check P',
    "def a := P.p--#check P\n#check P",
    "def a := (P.p)--#check P\n#check P",
    "def a := `foo #check P",
    "def a := `«a b»#check P",
    "def a := P.p#check P#check P",
    "def α₁ := P.p #check α₁\ndef ℕ := P.p #check ℕ\ndef 𝔸 := P.p #check 𝔸\ndef é := P.p #check é",
    "def x' := P.p #check x'",
    "def a := P.p\r\n#check P\r\n",
    "#check P /-\n#check P\n-/ #check P",
    "/-! /-/- -/ -/ #check P --/\n#check P",
    "/-- -- c\n-/ def a := P.p #check P",
    "/-- /- c -/ d -/ def a := P.p #check P",
]

REFUSE = [
    ("def a := P.p\t#check P", True),
    ("def a := P.p\r#check P", True),
    ('def a := "x', True),
    ('def a := "\\q" #check P', True),
    ("def a := 'ab' #check P", True),
    ("def a := 1_ #check P", True),
    ("def a := 0x #check P", True),
    ("def a := 1e #check P", True),
    ("def a := 2.unsafe def b := P.p #check b", True),
    ("def a := 1..#check P", True),
    ("def a := «abc", True),
    ("def a := x.«abc", True),
    ("/- unterminated", True),
    ("/-- -- -/\ndef a := P.p\n#check P", True),
    ('def a := r#"abc"', True),
    ("def a := P.p\u00a0#check P", True),
    ("def a := P.p +--#check P", False),
    ('def a := P.p +"x" #check P', False),
    ('def a := #r"\\" #check P -- "', False),
    ('def a := "{" #check P', False),
]


def agree_text(snippet: str) -> str:
    return HEAD + snippet + "\n#check P\n"


def refuse_text(snippet: str) -> str:
    return HEAD + snippet + "\n"


@pytest.fixture(scope="module")
def lean_says(lean_bin, tmp_path_factory) -> dict[str, tuple[set[tuple[int, int]], list[str]]]:
    """Lean's probes and parse errors for every generated and listed text, run in parallel once."""
    folder = tmp_path_factory.mktemp("lexer-differential")
    texts = [generated(seed) for seed in range(8)] + [agree_text(s) for s in AGREE] + [refuse_text(s) for s, _ in REFUSE]
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(texts, pool.map(lambda t: lean_run(lean_bin, folder, t), texts)))


def test_generated_inputs_agree_with_lean(lean_says):
    compared = 0
    for text in [generated(seed) for seed in range(8)]:
        probes, errors = lean_says[text]
        try:
            found = scan_probes(text)
        except LexError:
            assert errors, f"the lexer refused text Lean reads without error:\n{text}"
            continue
        assert errors == [] and found == probes, (errors, sorted(found ^ probes), text)
        compared += 1
    assert compared >= 6


@pytest.mark.parametrize("snippet", AGREE)
def test_adversarial_inputs_agree_with_lean(lean_says, snippet):
    text = agree_text(snippet)
    probes, errors = lean_says[text]
    assert errors == [] and (text.count("\n"), 0) in probes
    assert scan_probes(text) == probes


@pytest.mark.parametrize("snippet, lean_errs", REFUSE)
def test_what_the_lexer_cannot_classify_is_refused(lean_says, snippet, lean_errs):
    text = refuse_text(snippet)
    with pytest.raises(LexError):
        tokenize(text)
    if lean_errs:
        assert lean_says[text][1], "Lean accepted what the lexer calls an error"
