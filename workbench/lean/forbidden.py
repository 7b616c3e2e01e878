"""The one documented list of what a candidate proof may not contain, and the scan that finds it.

A candidate is untrusted code. Before Lean runs, its text is tokenized the way Lean's own lexer reads it
(`source.tokenize`: nested comments, doc comments, strings and raw strings, character literals, numbers,
«quoted» names); words inside comments and strings are ignored, and text the lexer cannot classify with
certainty is itself refused, with its line and column. Then the tokens are checked against the lists below.
Lean keywords are tokens wherever they appear (a keyword can never be an identifier), so a forbidden keyword
is refused anywhere outside comments and strings; an identifier is never refused for how it is spelled, except
where it stands in command position and looks like one of the extension commands of `COMMAND_SHAPES`.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.errors import LexError
from workbench.lean.source import CLOSERS, COMMAND_KEYWORDS, MODIFIERS, OPENERS, LineIndex, Token, strip_guillemets, tokenize

HEADER_WORDS: dict[str, str] = {
    "import": "imports belong to the statement file, not to the candidate",
    "prelude": "`prelude` belongs to the statement file, not to the candidate",
}

FORBIDDEN_KEYWORDS: dict[str, str] = {
    # syntax and elaboration extension (Lean core, Batteries, Mathlib, Aesop): could change what text means
    "notation": "defines notation", "notation3": "defines notation",
    "infix": "defines notation", "infixl": "defines notation", "infixr": "defines notation",
    "prefix": "defines notation", "postfix": "defines notation", "binder_predicate": "extends the syntax",
    "macro": "defines a macro", "macro_rules": "extends macros", "syntax": "extends the syntax",
    "elab": "defines an elaborator", "elab_rules": "extends elaborators", "declare_syntax_cat": "extends the syntax",
    "unif_hint": "changes unification", "declare_simp_like_tactic": "defines a tactic",
    "declare_config_elab": "defines an elaborator", "declare_command_config_elab": "defines an elaborator",
    "register_option": "registers an option at check time", "register_builtin_option": "registers an option at check time",
    "register_simp_attr": "registers an attribute at check time", "register_label_attr": "registers an attribute at check time",
    "register_tactic_tag": "registers an extension at check time", "register_linter_set": "registers an extension at check time",
    "tactic_extension": "extends a tactic", "declare_aesop_rule_sets": "registers an extension at check time",
    "add_aesop_rules": "changes Aesop's rules", "erase_aesop_rules": "changes Aesop's rules",
    # code execution at check time, or trusting compiled code instead of the kernel
    "initialize": "runs code when loaded", "builtin_initialize": "runs code when loaded",
    "run_cmd": "runs code at check time", "run_tac": "runs code at check time", "run_elab": "runs code at check time",
    "run_meta": "runs code at check time", "by_elab": "runs code at check time",
    "simproc": "runs code inside simp", "dsimproc": "runs code inside simp",
    "simproc_decl": "runs code inside simp", "dsimproc_decl": "runs code inside simp",
    "builtin_simproc": "runs code inside simp", "builtin_dsimproc": "runs code inside simp",
    "builtin_simproc_decl": "runs code inside simp", "builtin_dsimproc_decl": "runs code inside simp",
    "grind_propagator": "runs code inside grind", "builtin_grind_propagator": "runs code inside grind",
    "native_decide": "trusts compiled code instead of the kernel",
    "meta": "declares compile-time code", "unsafe": "escapes the kernel's rules",
    # assumptions: axioms come from the statement's environment, never from the candidate
    "axiom": "a candidate may not postulate axioms (it could even reuse an allowed axiom's name)",
}
"""Keywords refused wherever they occur as a token (not in comments or strings, not as part of a longer name)."""

COMMAND_SHAPES: tuple[tuple[str, str], ...] = (
    ("_rules", "suffix"), ("_parser", "suffix"), ("_initialize", "suffix"),
    ("builtin_", "prefix"), ("register_", "prefix"), ("declare_", "prefix"),
)
"""How extension commands of some library are spelled; refused only in command position (see `command_positions`).

A lemma named `add_rules` or `declare_refl`, and every use of it, is not in command position and is fine.
"""

ALLOWED_HASH_COMMANDS = {"#check", "#reduce", "#synth"}
"""`#`-commands a candidate may use; every other one (`#exit`, `#eval`, `#print`, `#guard_msgs`, …) is forbidden.

A `#name` inside brackets or right after a symbol that needs a term on its right (`≤ #s`, `(#s)`) is not refused:
no command can start there, so it is notation (Mathlib's `#s` for a finset's card) or a Lean error."""

_TERM_FOLLOWS = {
    "(", "[", "{", "⟨", "⦃", "⟦", "‹", "@[", "#[", ",", ":=", ":", "=>", "=", "≠", "<", ">", "≤", "≥", "+", "-",
    "*", "/", "%", "^", "∣", "∈", "∉", "⊆", "⊂", "∩", "∪", "∧", "∨", "¬", "→", "↔", "←", "↦", "∘", "×", "•", "$", "<|",
}

ALLOWED_OPTIONS = {
    "maxHeartbeats", "maxRecDepth", "maxSynthPendingDepth", "synthInstance.maxHeartbeats", "synthInstance.maxSize",
    "autoImplicit", "relaxedAutoImplicit", "diagnostics", "diagnostics.threshold", "exponentiation.threshold",
    "tactic.hygienic", "tactic.skipAssignedInstances", "tactic.simp.trace", "simprocs", "push_neg.use_distrib",
}
ALLOWED_OPTION_PREFIXES = ("linter.", "pp.", "backward.")
"""`set_option NAME` (also `set_option NAME v in …` in commands, terms and tactics) is allowed only for the options
above: resource limits, implicit-argument and hygiene behaviour, linters, pretty-printing and the `backward.*`
compatibility switches of the elaborator that proofs written for older Lean versions need. Each only changes
how elaboration searches or what it prints; the kernel still checks the result. Every other option is forbidden,
`debug.*` first of all (`debug.skipKernelTC` switches the kernel off), and so are `trace.*`, `compiler.*`,
`internal.*`, `warningAsError` and options a library adds."""

ALLOWED_ATTRIBUTES = {
    "simp", "reducible", "irreducible", "semireducible", "instance", "inline", "noinline", "specialize",
    "nospecialize", "ext", "symm", "refl", "trans", "congr", "elab_as_elim", "elab_without_expected_type",
    "match_pattern", "inherit_doc", "nolint", "norm_cast", "push_cast", "mono", "gcongr", "simps", "grind",
    "deprecated", "induction_eliminator", "cases_eliminator", "default_instance", "coe", "pp_nodot", "class",
    "reassoc", "elementwise", "field_simps", "fun_prop", "continuity", "measurability", "bound",
    "nontriviality", "to_additive", "local", "scoped", "wf_preprocess", "expose", "simp_arith",
}
"""Attributes a candidate may use (`@[…]`, `attribute […]`); any other could register code that runs at check time."""

# Keywords after which a term or name continues, so a token on the next line in column 0 does not start a command.
_CONTINUES = COMMAND_KEYWORDS | MODIFIERS | {
    "by", "fun", "at", "with", "then", "else", "do", "from", "in", "using", "have", "show", "let", "calc",
    "match", "if", "return", "where", "extends", "for", "suffices", "obtain", "open", "set_option",
}


@dataclass(frozen=True)
class Finding:
    """One forbidden construct: what it is, the candidate line it is on, why it is refused, and its reason codes."""

    construct: str
    line: int
    message: str
    codes: tuple[str, ...] = ("forbidden",)


def scan(text: str, *, strict: bool = True) -> list[Finding]:
    """Every forbidden construct in candidate `text`; `strict` also refuses `import` and `prelude`."""
    try:
        tokens = tokenize(text)
    except LexError as exc:
        return [Finding("unreadable text", exc.line, f"{exc} (the checker reads text exactly as Lean does and refuses what it cannot classify with certainty)")]
    lines = LineIndex(text)
    findings: list[Finding] = []

    def add(construct: str, tok: Token, why: str, codes: tuple[str, ...] = ("forbidden",)) -> None:
        findings.append(Finding(construct, lines.line(tok.start), f"`{construct}` is forbidden in a candidate: {why}", codes))

    for i in command_positions(tokens, lines):
        tok = tokens[i]
        shape = _command_shape(tok)
        if shape:
            add(tok.text, tok, f"it stands where a command starts and is spelled like an extension command ({shape}); a candidate may only declare and prove")
    in_terms = _hash_tokens_in_terms(tokens)
    flat = _flatten(tokens)
    closing = _closing_brackets(flat)
    for i, tok in enumerate(flat):
        nxt = flat[i + 1] if i + 1 < len(flat) else None
        if tok.kind == "hash" and tok.text not in ALLOWED_HASH_COMMANDS and tok.start not in in_terms:
            add(tok.text, tok, "it stops Lean before the rest of the file is checked" if tok.text == "#exit" else "only #check, #reduce and #synth are allowed; other commands can run code, hide messages or fake output")
        elif tok.kind != "ident":
            if tok.kind == "sym" and tok.text == "@[":
                _check_attributes(flat, i, closing, add)
        elif tok.text in HEADER_WORDS:
            if strict:
                add(tok.text, tok, HEADER_WORDS[tok.text])
        elif tok.text == "axiom":
            name = nxt.text if nxt is not None and nxt.kind == "ident" else "…"
            add(f"axiom {name}", tok, FORBIDDEN_KEYWORDS["axiom"], ("forbidden", "axiom"))
        elif tok.text in FORBIDDEN_KEYWORDS:
            add(tok.text, tok, FORBIDDEN_KEYWORDS[tok.text])
        elif tok.text == "set_option":
            option = strip_guillemets(nxt.text) if nxt is not None and nxt.kind == "ident" else None
            if option is None:
                add("set_option", tok, "it must be followed by an option name")
            elif not option_allowed(option):
                add(f"set_option {option}", tok, "only resource limits, linters, pretty-printing and a few elaboration options may be set (see ALLOWED_OPTIONS)")
        elif tok.text == "attribute" and nxt is not None and nxt.text == "[":
            _check_attributes(flat, i + 1, closing, add)
    findings.sort(key=lambda f: f.line)
    return findings


def option_allowed(name: str) -> bool:
    """Whether a candidate may `set_option name` (see ALLOWED_OPTIONS)."""
    return name in ALLOWED_OPTIONS or name.startswith(ALLOWED_OPTION_PREFIXES)


def command_positions(tokens: list[Token], lines: LineIndex) -> list[int]:
    """Indices of the tokens that stand where Lean would start a command, as far as the text alone tells.

    These are: the first token; a token in column 0, outside brackets, right after one that can end a term (a
    name, literal or closing bracket); and the token after a docstring, `@[…]`, modifiers or `open/set_option … in`
    that is itself in command position.
    """
    found: list[int] = []
    depth = 0
    prev: Token | None = None
    pending = True
    after_attributes = False
    prefix_open = False
    for i, tok in enumerate(tokens):
        opens = tok.kind == "sym" and tok.text in OPENERS
        if depth == 0:
            here = pending or (_ends_term(prev) and lines.column(tok.start) == 0)
            if here:
                found.append(i)
                prefix_open = tok.text in ("open", "set_option")
            pending = here and (tok.kind == "doc" or (tok.kind == "ident" and tok.text in MODIFIERS))
            after_attributes = here and tok.text == "@["
            if prefix_open and not here and tok.kind == "ident" and tok.text == "in":
                pending, prefix_open = True, False
        if opens:
            depth += 1
        elif tok.kind == "sym" and tok.text in CLOSERS and depth > 0:
            depth -= 1
            if depth == 0 and after_attributes:
                pending, after_attributes = True, False
        prev = tok
    return found


def _hash_tokens_in_terms(tokens: list[Token]) -> set[int]:
    """Offsets of the `#name` tokens that stand where only a term can (see ALLOWED_HASH_COMMANDS), inner ones included."""
    found: set[int] = set()
    depth = 0
    prev: Token | None = None
    for tok in tokens:
        if tok.kind == "hash" and (depth > 0 or (prev is not None and prev.kind == "sym" and prev.text in _TERM_FOLLOWS)):
            found.add(tok.start)
        elif tok.kind == "sym" and tok.text in OPENERS:
            depth += 1
        elif tok.kind == "sym" and tok.text in CLOSERS and depth > 0:
            depth -= 1
        found.update(inner.start for inner in tok.inner if inner.kind == "hash")
        prev = tok
    return found


def _ends_term(tok: Token | None) -> bool:
    if tok is None:
        return True
    if tok.kind == "sym":
        return tok.text in CLOSERS
    return tok.kind != "ident" or tok.text not in _CONTINUES


def _command_shape(tok: Token) -> str | None:
    if tok.kind != "ident" or "." in tok.text or tok.text in COMMAND_KEYWORDS or tok.text in MODIFIERS or tok.text in FORBIDDEN_KEYWORDS:
        return None
    for affix, where in COMMAND_SHAPES:
        if (where == "suffix" and tok.text.endswith(affix)) or (where == "prefix" and tok.text.startswith(affix)):
            return f"`…{affix}`" if where == "suffix" else f"`{affix}…`"
    return None


def _flatten(tokens: list[Token]) -> list[Token]:
    """The tokens with those inside `{…}` of possibly interpolated strings right after their string."""
    if not any(tok.inner for tok in tokens):
        return tokens
    flat: list[Token] = []
    for tok in tokens:
        flat.append(tok)
        flat.extend(tok.inner)
    return flat


def _closing_brackets(tokens: list[Token]) -> dict[int, int]:
    """For each opening bracket's index, the index of the bracket that closes it (len(tokens) when none does)."""
    closing: dict[int, int] = {}
    open_at: list[int] = []
    for i, tok in enumerate(tokens):
        if tok.kind != "sym":
            continue
        if tok.text in OPENERS:
            open_at.append(i)
        elif tok.text in CLOSERS and open_at:
            closing[open_at.pop()] = i
    closing.update((i, len(tokens)) for i in open_at)
    return closing


def _check_attributes(tokens: list[Token], opener: int, closing: dict[int, int], add) -> None:
    """Refuse the attributes in the brackets opened at `tokens[opener]` that are not allowed (nested brackets skipped)."""
    expect_name = True
    i, stop = opener + 1, closing[opener]
    while i < stop:
        tok = tokens[i]
        if i in closing:
            i = closing[i]
        elif tok.kind == "sym" and tok.text == ",":
            expect_name = True
        elif expect_name and tok.kind == "ident" and tok.text not in ("local", "scoped"):
            name = strip_guillemets(tok.text)
            if name not in ALLOWED_ATTRIBUTES:
                add(f"@[{name}]", tok, "only well-known attributes that run no user code are allowed")
            expect_name = False
        i += 1
