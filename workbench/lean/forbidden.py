"""The one documented list of constructs a candidate proof may not contain, and the scan that finds them.

A candidate is untrusted code. Before Lean runs, its text is tokenized the way Lean tokenizes it (nested
comments, doc comments, strings, character literals, «quoted» names); words inside comments and strings are
ignored, and any text the scanner cannot read exactly like Lean (an unterminated comment or string, an invalid
escape, an interpolated string, a stray `'`) is itself refused. Then every token is checked against the lists
below. When in doubt the scan refuses: an honest proof never needs any of these.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.lean.source import LexError, Token, line_of, strip_guillemets, tokenize

HEADER_WORDS: dict[str, str] = {
    "import": "imports belong to the statement file, not to the candidate",
    "prelude": "`prelude` belongs to the statement file, not to the candidate",
}

FORBIDDEN_WORDS: dict[str, str] = {
    # syntax extension: could change what the statement's own text means
    "notation": "defines notation", "notation3": "defines notation",
    "infix": "defines notation", "infixl": "defines notation", "infixr": "defines notation",
    "prefix": "defines notation", "postfix": "defines notation",
    "macro": "defines a macro", "syntax": "extends the syntax", "elab": "defines an elaborator",
    "declare_syntax_cat": "extends the syntax", "binder_predicate": "extends the syntax",
    "declare_simp_like_tactic": "defines a tactic", "unif_hint": "changes unification",
    # code execution at check time
    "initialize": "runs code when loaded", "run_cmd": "runs code at check time",
    "run_tac": "runs code at check time", "run_elab": "runs code at check time",
    "run_meta": "runs code at check time", "by_elab": "runs code at check time",
    "simproc": "runs code inside simp", "dsimproc": "runs code inside simp",
    "simproc_decl": "runs code inside simp", "dsimproc_decl": "runs code inside simp",
    "native_decide": "trusts compiled code instead of the kernel",
    "meta": "declares compile-time code", "unsafe": "escapes the kernel's rules",
    # assumptions: axioms come from the statement's environment, never from the candidate
    "axiom": "a candidate may not postulate axioms (it could even reuse an allowed axiom's name)",
}

FORBIDDEN_WORD_SUFFIXES: dict[str, str] = {
    "_rules": "extends macros or elaborators",
    "_parser": "registers a parser",
    "_initialize": "runs code when loaded",
}
FORBIDDEN_WORD_PREFIXES: dict[str, str] = {
    "builtin_": "registers built-in code",
    "register_": "registers an extension at check time",
    "declare_": "extends the syntax or configuration",
}

ALLOWED_HASH_COMMANDS = {"#check", "#reduce", "#synth"}
"""`#`-commands a candidate may use; every other one (`#exit`, `#eval`, `#print`, `#guard_msgs`, …) is forbidden."""

FORBIDDEN_OPTION_PREFIXES = ("debug", "internal", "kernel")
"""`set_option` names starting with these are forbidden (`debug.skipKernelTC` turns the kernel off)."""

ALLOWED_ATTRIBUTES = {
    "simp", "reducible", "irreducible", "semireducible", "instance", "inline", "noinline", "specialize",
    "nospecialize", "ext", "symm", "refl", "trans", "congr", "elab_as_elim", "elab_without_expected_type",
    "match_pattern", "inherit_doc", "nolint", "norm_cast", "push_cast", "mono", "gcongr", "simps", "grind",
    "deprecated", "induction_eliminator", "cases_eliminator", "default_instance", "coe", "pp_nodot", "class",
    "reassoc", "elementwise", "field_simps", "fun_prop", "continuity", "measurability", "bound",
    "nontriviality", "to_additive", "local", "scoped", "wf_preprocess", "expose", "simp_arith",
}
"""Attributes a candidate may use (`@[…]`, `attribute […]`); any other could register code that runs at check time."""


@dataclass(frozen=True)
class Finding:
    """One forbidden construct: what it is, the candidate line it is on, and why it is refused."""

    construct: str
    line: int
    message: str


def scan(text: str, *, strict: bool = True) -> list[Finding]:
    """Every forbidden construct in candidate `text`; `strict` also refuses `import` and `prelude`."""
    try:
        tokens = tokenize(text)
    except LexError as exc:
        return [Finding("unreadable text", line_of(text, exc.offset), f"{exc}: the checker reads text exactly as Lean does and refuses what it cannot read")]
    findings: list[Finding] = []
    for i, tok in enumerate(tokens):
        line = line_of(text, tok.start)
        why = _token_problem(tok, strict)
        if why:
            findings.append(Finding(tok.text, line, f"`{tok.text}` is forbidden in a candidate: {why}"))
        if tok.kind == "ident" and tok.text == "set_option" and i + 1 < len(tokens):
            option = strip_guillemets(tokens[i + 1].text)
            if option.split(".")[0] in FORBIDDEN_OPTION_PREFIXES:
                findings.append(Finding(f"set_option {option}", line, f"`set_option {option}` is forbidden in a candidate: it can switch off checking"))
        if tok.kind == "istring":
            findings[-1:] = [Finding("interpolated string", line, findings[-1].message)]
        if tok.kind == "sym" and tok.text == "@[" or (tok.kind == "ident" and tok.text == "attribute" and i + 1 < len(tokens) and tokens[i + 1].text == "["):
            for name_tok in _attribute_names(tokens, i + 1 if tok.text == "@[" else i + 2):
                name = strip_guillemets(name_tok.text)
                if name not in ALLOWED_ATTRIBUTES:
                    findings.append(Finding(f"@[{name}]", line_of(text, name_tok.start), f"attribute `{name}` is forbidden in a candidate: only well-known attributes that run no user code are allowed"))
    return findings


def _token_problem(tok: Token, strict: bool) -> str | None:
    if tok.kind == "istring":
        return "interpolated strings run code"
    if tok.kind == "hash":
        word = tok.text.rstrip("!?")
        if tok.text in ALLOWED_HASH_COMMANDS:
            return None
        if word == "#exit":
            return "it stops Lean before the rest of the file is checked"
        return "only #check, #reduce and #synth are allowed; other commands can run code, hide messages or fake output"
    if tok.kind != "ident":
        return None
    word = tok.text
    if word in HEADER_WORDS:
        return HEADER_WORDS[word] if strict else None
    plain = strip_guillemets(word)
    if plain in FORBIDDEN_WORDS:
        return FORBIDDEN_WORDS[plain]
    for suffix, why in FORBIDDEN_WORD_SUFFIXES.items():
        if plain.endswith(suffix) and "." not in plain:
            return why
    for prefix, why in FORBIDDEN_WORD_PREFIXES.items():
        if plain.startswith(prefix) and "." not in plain:
            return why
    return None


def _attribute_names(tokens: list[Token], start: int) -> list[Token]:
    """The attribute names inside the brackets opened just before `tokens[start]`."""
    names: list[Token] = []
    depth, expect_name = 1, True
    for tok in tokens[start:]:
        if tok.kind == "sym" and tok.text in ("[", "(", "{", "@[", "⟨"):
            depth += 1
        elif tok.kind == "sym" and tok.text in ("]", ")", "}", "⟩"):
            depth -= 1
            if depth == 0:
                break
        elif depth == 1 and tok.kind == "sym" and tok.text == ",":
            expect_name = True
        elif depth == 1 and expect_name and tok.kind == "ident":
            if tok.text in ("local", "scoped"):
                continue
            names.append(tok)
            expect_name = False
        elif depth == 1 and expect_name and tok.kind == "sym" and tok.text == "-":
            continue
    return names
