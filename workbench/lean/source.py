"""A small Lean 4 source scanner: tokens, comments, scopes and declarations, enough to judge and split files."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

OPENERS = {"(": ")", "[": "]", "{": "}", "⦃": "⦄", "⟨": "⟩", "⟦": "⟧", "‹": "›", "@[": "]", "#[": "]"}
CLOSERS = set(OPENERS.values())

DECL_KEYWORDS = {
    "theorem", "lemma", "def", "abbrev", "instance", "example", "axiom", "opaque", "inductive",
    "coinductive", "structure", "class", "alias", "irreducible_def",
}
MODIFIERS = {"private", "protected", "noncomputable", "partial", "unsafe", "nonrec", "public", "meta", "scoped", "local"}
COMMAND_KEYWORDS = DECL_KEYWORDS | {
    "namespace", "section", "end", "variable", "universe", "include", "omit", "export", "attribute",
    "mutual", "deriving", "import", "prelude", "initialize", "builtin_initialize", "macro", "macro_rules",
    "syntax", "elab", "elab_rules", "notation", "infix", "infixl", "infixr", "prefix", "postfix",
    "declare_syntax_cat", "run_cmd", "run_elab", "run_meta", "add_decl_doc", "module",
}
# `open` and `set_option` also occur inside proofs (`open Foo in simp`); they start a command only in column 0.
COLUMN0_COMMANDS = {"open", "set_option"}


class LexError(ValueError):
    """The text cannot be tokenized (an unterminated comment or string)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True)
class Token:
    """One token: kind is ident, hash (a `#command`), doc, moddoc, string, istring, char, num or sym."""

    kind: str
    text: str
    start: int
    end: int


def _ident_start(ch: str) -> bool:
    if ch == "_" or ch == "«":
        return True
    if ch in "λΠΣ":
        return False
    return ch.isalpha() or (ord(ch) > 127 and unicodedata.category(ch).startswith("L"))


def _ident_char(ch: str) -> bool:
    if ch in "_'!?":
        return True
    if ch in "λΠΣ":
        return False
    if ch.isalnum():
        return True
    return ord(ch) > 127 and (unicodedata.category(ch)[0] in "LN" or "SUBSCRIPT" in unicodedata.name(ch, ""))


def _skip_block_comment(text: str, i: int) -> int:
    """`i` points at `/-`; returns the offset just after the matching `-/`, exactly as Lean scans it.

    Lean skips the character right after `/-` (for a plain comment it is not examined; for `/--` and `/-!` it is
    the doc marker) and then counts nested `/-` and `-/` character by character.
    """
    depth, j, n = 1, i + 3, len(text)
    if i + 2 >= n:
        raise LexError("unterminated comment", i)
    while j < n:
        if text.startswith("-/", j):
            depth -= 1
            j += 2
            if depth == 0:
                return j
        elif text.startswith("/-", j):
            depth += 1
            j += 2
        else:
            j += 1
    raise LexError("unterminated comment", i)


def _read_ident(text: str, i: int) -> int:
    n = len(text)
    while True:
        if text[i] == "«":
            close = text.find("»", i + 1)
            if close < 0:
                raise LexError("unterminated «name»", i)
            i = close + 1
        else:
            i += 1
            while i < n and _ident_char(text[i]):
                i += 1
        if i + 1 < n and text[i] == "." and _ident_start(text[i + 1]):
            i += 1
            continue
        return i


_ESCAPE = re.compile(r'\\(?:[\\"\'nrt]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|\n\s*)')


def _read_string(text: str, i: int) -> int:
    """`i` points at the opening quote; returns the offset after the closing one (escapes as Lean accepts them)."""
    j, n = i + 1, len(text)
    while j < n:
        if text[j] == "\\":
            m = _ESCAPE.match(text, j)
            if not m:
                raise LexError("invalid escape in string", j)
            j = m.end()
        elif text[j] == '"':
            return j + 1
        else:
            j += 1
    raise LexError("unterminated string", i)


def tokenize(text: str) -> list[Token]:
    """Split Lean text into tokens; ordinary comments are dropped, doc comments kept as `doc`/`moddoc` tokens."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/-", i):
            j = _skip_block_comment(text, i)
            if text.startswith("/--", i) and not text.startswith("/--/", i):
                tokens.append(Token("doc", text[i:j], i, j))
            elif text.startswith("/-!", i):
                tokens.append(Token("moddoc", text[i:j], i, j))
            i = j
            continue
        raw = re.match(r'r(#*)"', text[i:i + 258]) if ch == "r" else None
        if raw and (i == 0 or not _ident_char(text[i - 1])):
            close = '"' + raw.group(1)
            j = text.find(close, i + len(raw.group(0)))
            if j < 0:
                raise LexError("unterminated raw string", i)
            tokens.append(Token("string", text[i:j + len(close)], i, j + len(close)))
            i = j + len(close)
            continue
        if ch == '"':
            j = _read_string(text, i)
            interpolated = bool(tokens) and tokens[-1].end == i and tokens[-1].text.endswith("!")
            tokens.append(Token("istring" if interpolated else "string", text[i:j], i, j))
            i = j
            continue
        if ch == "'":
            m = re.match(r"'(\\(?:u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\\\"'nrt])|[^\\'\n])'", text[i:i + 16])
            if m:
                tokens.append(Token("char", m.group(0), i, i + len(m.group(0))))
                i += len(m.group(0))
                continue
            raise LexError("a `'` that does not start a character literal", i)
        if _ident_start(ch):
            j = _read_ident(text, i)
            tokens.append(Token("ident", text[i:j], i, j))
            i = j
            continue
        if ch == "#" and i + 1 < n and _ident_start(text[i + 1]):
            j = _read_ident(text, i + 1)
            tokens.append(Token("hash", text[i:j], i, j))
            i = j
            continue
        if ch.isdigit():
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == "_" or (text[j] == "." and j + 1 < n and text[j + 1].isdigit())):
                j += 1
            tokens.append(Token("num", text[i:j], i, j))
            i = j
            continue
        for sym in (":=", "@[", "#[", "=>", "<;>", "..", "::"):
            if text.startswith(sym, i):
                tokens.append(Token("sym", sym, i, i + len(sym)))
                i += len(sym)
                break
        else:
            tokens.append(Token("sym", ch, i, i + 1))
            i += 1
    return tokens


def blank_comments_and_literals(text: str) -> str:
    """`text` with comments, doc comments and string/char literals replaced by spaces (newlines kept)."""
    out = [ch if ch == "\n" else " " for ch in text]
    for tok in tokenize(text):
        if tok.kind not in ("doc", "moddoc", "string", "istring", "char"):
            out[tok.start:tok.end] = text[tok.start:tok.end]
    return "".join(out)


def line_of(text: str, offset: int) -> int:
    """1-based line number of `offset` in `text`."""
    return text.count("\n", 0, offset) + 1


def column_of(text: str, offset: int) -> int:
    """0-based column of `offset` in `text` (in code points)."""
    return offset - (text.rfind("\n", 0, offset) + 1)


def strip_guillemets(name: str) -> str:
    """`«foo».bar` → `foo.bar` (enough for comparing names Lean prints)."""
    return name.replace("«", "").replace("»", "")


@dataclass
class Command:
    """A top-level command: its tokens and the text span it covers (modifiers and docstring included)."""

    tokens: list[Token]
    start: int
    end: int
    keyword: str
    namespace: tuple[str, ...] = ()

    def text(self, source: str) -> str:
        return source[self.start:self.end]


def _is_command_start(tok: Token, prev: Token | None, source: str) -> bool:
    if tok.kind in ("hash", "doc", "moddoc"):
        return True
    if tok.kind == "sym" and tok.text == "@[":
        return True
    if tok.kind != "ident":
        return False
    after = prev.text if prev is not None else ""
    if tok.text in COLUMN0_COMMANDS:
        return column_of(source, tok.start) == 0
    if tok.text in ("local", "scoped") and after == "open":
        return False
    if tok.text == "instance" and after == "deriving":
        return False
    if tok.text in ("inductive", "abbrev", "structure") and after == "class":
        return False
    return tok.text in COMMAND_KEYWORDS or tok.text in MODIFIERS


def _is_prefix_token(tok: Token) -> bool:
    return tok.kind == "doc" or (tok.kind == "ident" and tok.text in MODIFIERS) or (tok.kind == "sym" and tok.text == "@[")


def split_commands(source: str, tokens: list[Token] | None = None) -> list[Command]:
    """Split `source` into top-level commands; a docstring, attributes, modifiers and `open … in` stay with their command."""
    tokens = tokenize(source) if tokens is None else tokens
    commands: list[Command] = []
    current: list[Token] = []
    depth = 0
    prefix_only = False
    prev: Token | None = None
    for tok in tokens:
        starts = depth == 0 and _is_command_start(tok, prev, source)
        if starts and current and not prefix_only:
            commands.append(Command(current, current[0].start, current[-1].end, _keyword(current)))
            current = []
        if not current:
            prefix_only = _is_prefix_token(tok)
        elif depth == 0 and tok.kind == "ident" and tok.text == "in" and current[0].text in COLUMN0_COMMANDS:
            prefix_only = True
        elif prefix_only and depth == 0 and not _is_prefix_token(tok) and tok.kind != "sym" and starts:
            prefix_only = False
        current.append(tok)
        if tok.kind == "sym":
            if tok.text in OPENERS:
                depth += 1
            elif tok.text in CLOSERS and depth > 0:
                depth -= 1
        prev = tok
    if current:
        commands.append(Command(current, current[0].start, current[-1].end, _keyword(current)))
    _assign_namespaces(commands)
    return commands


def _keyword(tokens: list[Token]) -> str:
    """The command's own keyword, after any docstring, attributes, modifiers and `open … in` prefixes."""
    depth, in_prefix = 0, False
    first = tokens[0]
    if first.text in COLUMN0_COMMANDS:
        in_prefix = any(t.text == "in" for t in tokens)
        if not in_prefix:
            return first.text
    for tok in tokens:
        if tok.kind == "sym" and tok.text in OPENERS:
            depth += 1
        elif tok.kind == "sym" and tok.text in CLOSERS:
            depth = max(0, depth - 1)
        elif depth == 0 and tok.kind == "hash":
            return tok.text
        elif depth == 0 and tok.kind == "ident" and tok.text in COMMAND_KEYWORDS:
            return tok.text
    return first.text


@dataclass
class Scope:
    kind: str  # namespace, section, mutual
    name: tuple[str, ...] = ()


def _name_parts(name: str) -> tuple[str, ...]:
    parts, cur, inside = [], "", False
    for ch in name:
        if ch == "«":
            inside = True
        elif ch == "»":
            inside = False
        elif ch == "." and not inside:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return tuple(parts)


def _assign_namespaces(commands: list[Command]) -> None:
    scopes: list[Scope] = []
    for cmd in commands:
        cmd.namespace = tuple(p for s in scopes if s.kind == "namespace" for p in s.name)
        kw = cmd.keyword
        after = _token_after(cmd.tokens, kw)
        if kw == "namespace" and after is not None:
            for part in _name_parts(after.text):
                scopes.append(Scope("namespace", (part,)))
        elif kw == "section":
            name = after.text if after is not None and after.kind == "ident" else ""
            scopes.append(Scope("section", _name_parts(name) if name else ()))
        elif kw == "mutual":
            scopes.append(Scope("mutual"))
        elif kw == "end":
            name = after.text if after is not None and after.kind == "ident" and after.text not in COMMAND_KEYWORDS else ""
            count = len(_name_parts(name)) if name else 1
            for _ in range(count):
                if scopes:
                    scopes.pop()


def _token_after(tokens: list[Token], keyword: str) -> Token | None:
    for i, tok in enumerate(tokens):
        if tok.text == keyword:
            return tokens[i + 1] if i + 1 < len(tokens) else None
    return None


@dataclass
class Declaration:
    """A `theorem`/`lemma` found in a file: where it starts, its name, and where its proof begins."""

    command: Command
    keyword: Token
    name: Token
    written_name: str
    full_name: str
    proof_sep: Token | None
    prefix_end: int  # end of the `open … in` / `set_option … in` prefix (== command.start when none)
    modifiers: list[Token] = field(default_factory=list)

    @property
    def namespace_prefix(self) -> tuple[str, ...]:
        """The namespace the declaration's own dotted name adds (`theorem A.foo` → ("A",))."""
        if self.written_name.startswith("_root_."):
            return ()
        return _name_parts(self.written_name)[:-1]


def full_name_of(namespace: tuple[str, ...], written: str) -> str:
    """The fully qualified name a declaration written as `written` gets inside `namespace`."""
    if written.startswith("_root_."):
        return written[len("_root_."):]
    return ".".join(namespace + (written,)) if namespace else written


def declarations(source: str, commands: list[Command] | None = None) -> list[Declaration]:
    """The theorem/lemma declarations of `source`, in order."""
    commands = split_commands(source) if commands is None else commands
    found: list[Declaration] = []
    for cmd in commands:
        if cmd.keyword not in ("theorem", "lemma"):
            continue
        toks = cmd.tokens
        k = next(i for i, t in enumerate(toks) if t.kind == "ident" and t.text == cmd.keyword)
        if k + 1 >= len(toks) or toks[k + 1].kind != "ident":
            continue
        prefix_end = cmd.start
        for i in range(k):
            if toks[i].text == "in":
                prefix_end = toks[i].end
        modifiers = [t for t in toks[:k] if t.end > prefix_end]
        name_tok = toks[k + 1]
        found.append(
            Declaration(
                command=cmd,
                keyword=toks[k],
                name=name_tok,
                written_name=name_tok.text,
                full_name=full_name_of(cmd.namespace, name_tok.text),
                proof_sep=_proof_separator(toks[k + 2:]),
                prefix_end=prefix_end,
                modifiers=modifiers,
            )
        )
    return found


def _proof_separator(tokens: list[Token]) -> Token | None:
    depth, pending = 0, 0
    for tok in tokens:
        if tok.kind == "sym" and tok.text in OPENERS:
            depth += 1
        elif tok.kind == "sym" and tok.text in CLOSERS:
            depth = max(0, depth - 1)
        elif depth == 0 and tok.kind == "ident" and tok.text in ("let", "have", "haveI", "letI", "let_fun"):
            pending += 1
        elif depth == 0 and tok.kind == "sym" and tok.text == ":=":
            if pending:
                pending -= 1
            else:
                return tok
    return None


def find_declaration(source: str, name: str) -> Declaration | None:
    """The theorem/lemma of `source` whose fully qualified name (or, failing that, written name) is `name`."""
    decls = declarations(source)
    want = strip_guillemets(name.removeprefix("_root_."))
    exact = [d for d in decls if strip_guillemets(d.full_name) == want]
    if exact:
        return exact[0]
    written = [d for d in decls if strip_guillemets(d.written_name) == want]
    return written[0] if len(written) == 1 else None


def _header(tokens: list[Token]) -> tuple[int, list[str]]:
    end, mods, i = 0, [], 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == "ident" and tok.text in ("prelude", "module"):
            end = tok.end
            i += 1
            continue
        j = i
        while j < len(tokens) and tokens[j].kind == "ident" and tokens[j].text in ("public", "meta", "import", "all"):
            j += 1
        if j == i or j >= len(tokens) or "import" not in {t.text for t in tokens[i:j]}:
            break
        mods.append(strip_guillemets(tokens[j].text))
        end = tokens[j].end
        i = j + 1
    return end, mods


def header_end(text: str) -> int:
    """Offset just after the file's header (`prelude`, `module`, `import …`); 0 when there is none."""
    try:
        return _header(tokenize(text))[0]
    except LexError:
        return 0


def header_imports(text: str) -> list[str]:
    """The modules the file's header imports."""
    try:
        return _header(tokenize(text))[1]
    except LexError:
        return []
