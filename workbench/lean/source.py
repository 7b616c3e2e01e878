"""Lean 4's lexer, as far as the checker needs it, and the commands and declarations it finds in a file."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple

from workbench.errors import LexError

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

# Lean's `isLetterLike` and `isSubScriptAlnum` (Init/Meta/Defs.lean): `Char.isAlpha` is ASCII only, so these
# ranges are every non-ASCII character an identifier may hold. λ, Π and Σ are left out on purpose.
_LETTER_LIKE = (
    "\u03b1-\u03ba\u03bc-\u03c9\u0391-\u039f\u03a1-\u03a2\u03a4-\u03a9\u03ca-\u03fb\u1f00-\u1ffe"
    "\u2100-\u214f\U0001d49c-\U0001d59f\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u017f"
)
_SUBSCRIPT = "\u2080-\u2089\u2090-\u209c\u1d62-\u1d6a\u2c7c"
_ID_FIRST = f"A-Za-z_{_LETTER_LIKE}"
_ID_REST = f"A-Za-z0-9_'!?{_LETTER_LIKE}{_SUBSCRIPT}"
_PART = f"(?:[{_ID_FIRST}][{_ID_REST}]*+|«[^»]*+»)"
_ID_FIRST_CHAR = re.compile(f"[{_ID_FIRST}«]")
_ID_REST_CHAR = re.compile(f"[{_ID_REST}]")

_COMMENT_MARK = re.compile(r"/-|-/")
_BLANK = re.compile(r"(?:[ \n]|\r\n)*+")
_STRING_STOP = re.compile(r'["\\]')
# `\` escapes Lean accepts in strings; `\` + newline is a string gap: blanks up to text on the next line.
_STRING_ESCAPE = re.compile(r"\\(?:[\\\"'rnt]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|\r?\n[ \t\r]*+(?!\n))")
_RAW_OPEN = re.compile(r'r(#*+)"')
_INTERPOLATION_STOP = re.compile(r"[{\\]")
_DECIMAL = re.compile(r"[0-9](?:_*+[0-9])*+")
_RADIX = {
    "b": re.compile(r"(?:_*+[01])++"),
    "o": re.compile(r"(?:_*+[0-7])++"),
    "x": re.compile(r"(?:_*+[0-9a-fA-F])++"),
}
_FIELD_INDEX = re.compile(r"[1-9][0-9]*+")
# A symbol ending in one of these is a whole token whatever follows; after any other symbol character the
# environment's token table (which the scan cannot see) decides where the next token starts.
_DELIMITERS = frozenset("()[]{}⟨⟩⦃⦄⟦⟧‹›,;")
_NEXT = re.compile(
    r"((?:[ \n]|\r\n)*+)(?:"
    r"(?P<line>--[^\n]*+)"
    r"|(?P<block>/-)"
    r'|(?P<string>")'
    r'|(?P<raw>r\#*+")'
    f"|(?P<ident>{_PART}(?:\\.{_PART})*+)"
    r"|(?P<num>[0-9])"
    r"|(?P<char>'(?!')(?:[^\\]|\\(?:[\\\"'rnt]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}))'|'(?!'))"
    f"|(?P<name>`{_PART}(?:\\.{_PART})*+)"
    f"|(?P<hash>\\#{_PART}(?:\\.{_PART})*+)"
    r"|(?P<sym>:=|=>|@\[|\#\[|<;>|\.\.|::|''|``|.))",
    re.DOTALL,
)
# Token kinds whose first character means something different when glued to a symbol Lean may read as longer.
_AFTER_SPACE_ONLY = frozenset({"line", "block", "string", "raw", "name", "hash"})


class Token(NamedTuple):
    """One token: kind is ident, hash (`#command`), doc, moddoc, string, char, num, name (`` `x ``) or sym.

    `inner` holds the tokens of the `{…}` parts of a string that Lean may read as an interpolated string.
    """

    kind: str
    text: str
    start: int
    end: int
    inner: tuple["Token", ...] = ()


def _ident_start(ch: str) -> bool:
    return _ID_FIRST_CHAR.match(ch) is not None


def _ident_char(ch: str) -> bool:
    return _ID_REST_CHAR.match(ch) is not None


class LineIndex:
    """Line numbers and columns of offsets in one text, each found in logarithmic time."""

    def __init__(self, text: str) -> None:
        self._starts = [0]
        self._starts.extend(m.end() for m in re.finditer("\n", text))

    def line(self, offset: int) -> int:
        """1-based line of `offset`."""
        return bisect_right(self._starts, offset)

    def column(self, offset: int) -> int:
        """0-based column of `offset` (in code points, as Lean counts them)."""
        return offset - self._starts[bisect_right(self._starts, offset) - 1]


class _Lexer:
    """One left-to-right pass over `text[pos:end]`, Lean's `tokenFn` and `whitespace` in Python."""

    def __init__(self, text: str, pos: int, end: int) -> None:
        self.text = text
        self.pos = pos
        self.end = end
        self.tokens: list[Token] = []

    def fail(self, problem: str, offset: int) -> LexError:
        lines = LineIndex(self.text)
        return LexError(problem, offset, lines.line(offset), lines.column(offset))

    def run(self, *, until_brace: bool = False) -> int | None:
        """Tokenize up to `end`; with `until_brace`, stop at a `}` outside brackets and return its offset."""
        text, end, tokens = self.text, self.end, self.tokens
        append = tokens.append
        match = _NEXT.match
        brackets = 0
        glued = False
        pos = self.pos
        while pos < end:
            m = match(text, pos, end)
            if m is None:
                return None
            start = m.end(1)
            if start != pos:
                pos, glued = start, False
            kind = m.lastgroup
            stop = m.end()
            if kind == "ident":
                if text.startswith(".«", stop, end):
                    raise self.fail("unterminated identifier escape `«`", stop + 1)
                append(Token("ident", m.group(kind), pos, stop))
                pos, glued = stop, False
                continue
            if kind == "sym":
                sym = m.group(kind)
                if len(sym) == 1 and (sym >= "\x7f" or sym < " "):
                    self._check_symbol_char(pos)
                if until_brace and sym == "}" and brackets == 0:
                    return pos
                if sym in OPENERS:
                    brackets += 1
                elif sym in CLOSERS and brackets > 0:
                    brackets -= 1
                append(Token("sym", sym, pos, stop))
                pos, glued = stop, sym[-1] not in _DELIMITERS
                continue
            if glued and kind in _AFTER_SPACE_ONLY:
                raise self.fail(f"`{text[pos:stop]}` right after the symbol `{tokens[-1].text}`: Lean reads it differently depending on the notation in scope; put a space before it", pos)
            if kind == "line":
                pos = stop
            elif kind == "block":
                marker = text[pos + 2:pos + 3]
                if marker in ("-", "!"):
                    stop = self._block_end(self._space_end(pos + 3), pos)
                    append(Token("doc" if marker == "-" else "moddoc", text[pos:stop], pos, stop))
                else:
                    stop = self._block_end(pos + 3, pos)
                pos = stop
            elif kind == "string":
                stop = self._string_end(pos)
                inner = self._interpolation(pos, stop) if text.find("{", pos, stop) >= 0 else ()
                append(Token("string", text[pos:stop], pos, stop, inner))
                pos = stop
            elif kind == "raw":
                stop = self._raw_string_end(pos, stop)
                append(Token("string", text[pos:stop], pos, stop))
                pos = stop
            elif kind == "num":
                stop = self._number_end(pos)
                append(Token("num", text[pos:stop], pos, stop))
                pos = stop
            elif kind == "char":
                if glued:
                    if stop > pos + 1:
                        raise self.fail(f"a character literal right after the symbol `{tokens[-1].text}`: Lean reads it differently depending on the notation in scope; put a space before it", pos)
                    append(Token("sym", "'", pos, stop))
                    pos = stop
                    continue
                if stop == pos + 1:
                    raise self.fail("a `'` that does not start a character literal (one character or escape, then `'`)", pos)
                append(Token("char", m.group(kind), pos, stop))
                pos = stop
            elif kind == "name":
                if text.startswith(".«", stop, end):
                    raise self.fail("unterminated identifier escape `«`", stop + 1)
                append(Token("name", m.group(kind), pos, stop))
                pos = stop
            else:
                if text.startswith(".«", stop, end):
                    raise self.fail("unterminated identifier escape `«`", stop + 1)
                if _RAW_OPEN.match(text, pos + 1, end):
                    raise self.fail("`#` glued to a raw string literal: Lean reads `#r\"…\"` differently depending on the notation in scope; put a space after `#`", pos)
                append(Token("hash", m.group(kind), pos, stop))
                pos = stop
            glued = False
        return None

    def _check_symbol_char(self, pos: int) -> None:
        ch = self.text[pos]
        if ch == "\t":
            raise self.fail("tabs are not allowed in Lean source (outside comments and strings)", pos)
        if ch == "\r":
            raise self.fail("a carriage return not followed by a line feed (Lean refuses it)", pos)
        if ch == "«":
            raise self.fail("unterminated identifier escape `«`", pos)
        category = unicodedata.category(ch)
        if category[0] in "CZ":
            raise self.fail(f"U+{ord(ch):04X} ({unicodedata.name(ch, category)}) is no Lean token and not whitespace to Lean", pos)

    def _block_end(self, at: int, pos: int) -> int:
        """The offset after the `-/` that closes the comment opened at `pos`, counting nested `/-` from `at`."""
        depth = 1
        for m in _COMMENT_MARK.finditer(self.text, at, self.end):
            if m.group() == "-/":
                depth -= 1
                if depth == 0:
                    return m.end()
            else:
                depth += 1
        raise self.fail("unterminated comment", pos)

    def _space_end(self, at: int) -> int:
        """Where Lean's `whitespace` stops from `at`: after blanks, `--` comments and `/-` comments (not doc ones).

        Lean runs it after every token, also after `/--` and `/-!`, whose text only starts where it stops; a
        plain comment skips the character after its `/-` unseen, so `/-! /-/- -/ -/ code` ends before `code`.
        """
        text, end = self.text, self.end
        while True:
            m = _BLANK.match(text, at, end)
            at = m.end()
            if text.startswith("--", at, end):
                stop = text.find("\n", at, end)
                at = end if stop < 0 else stop
            elif text.startswith("/-", at, end) and text[at + 2:at + 3] not in ("-", "!"):
                at = self._block_end(at + 3, at)
            elif text.startswith("\t", at, end) or (text.startswith("\r", at, end) and not text.startswith("\r\n", at, end)):
                raise self.fail("tabs and lone carriage returns are not allowed in Lean source (outside comments and strings)", at)
            else:
                return at

    def _string_end(self, pos: int) -> int:
        text, end = self.text, self.end
        at = pos + 1
        while True:
            m = _STRING_STOP.search(text, at, end)
            if m is None:
                raise self.fail("unterminated string literal", pos)
            if m.group() == '"':
                return m.end()
            escape = _STRING_ESCAPE.match(text, m.start(), end)
            if escape is None:
                raise self.fail("invalid escape sequence in a string literal", m.start())
            at = escape.end()

    def _raw_string_end(self, pos: int, opened: int) -> int:
        closing = '"' + "#" * (opened - pos - 2)
        stop = self.text.find(closing, opened, self.end)
        if stop < 0:
            raise self.fail(f"unterminated raw string literal (it needs {closing!r} to close)", pos)
        return stop + len(closing)

    def _interpolation(self, pos: int, stop: int) -> tuple[Token, ...]:
        """Tokens of the `{…}` parts of the string `text[pos:stop]`, which Lean reads as code after `s!` and the like.

        A string whose braces would make Lean end it elsewhere as an interpolated string is refused. The braces
        hold no string literal (its quote would end this string), so this never recurses.
        """
        inner: list[Token] = []
        at, close = pos + 1, stop - 1
        while True:
            m = _INTERPOLATION_STOP.search(self.text, at, close)
            if m is None:
                return tuple(inner)
            if m.group() == "\\":
                at = m.end() + 1
                continue
            nested = _Lexer(self.text, m.end(), close)
            brace = nested.run(until_brace=True)
            if brace is None:
                raise self.fail("a string whose `{` has no matching `}` inside it: Lean would read it differently as an interpolated string (after `s!`, `m!`, `throwError` …)", m.start())
            inner.extend(nested.tokens)
            at = brace + 1

    def _number_end(self, pos: int) -> int:
        text, end, tokens = self.text, self.end, self.tokens
        if len(tokens) >= 2 and tokens[-1].text == "." and tokens[-1].end == pos and tokens[-2].end == pos - 1:
            m = _FIELD_INDEX.match(text, pos, end)
            if m is not None:
                return m.end()
        radix = text[pos + 1:pos + 2].lower() if text[pos] == "0" else ""
        if radix in _RADIX:
            m = _RADIX[radix].match(text, pos + 2, end)
            if m is None:
                raise self.fail(f"`{text[pos:pos + 2]}` without digits", pos)
            return self._digits_end(m.end())
        stop = self._digits_end(_DECIMAL.match(text, pos, end).end())
        if text.startswith(".", stop, end) and not text.startswith("..", stop, end):
            stop += 1
            if stop < end and "0" <= text[stop] <= "9":
                stop = self._digits_end(_DECIMAL.match(text, stop, end).end())
            elif stop < end and text[stop] not in "eE" and _ident_start(text[stop]):
                raise self.fail("an identifier right after a decimal point (write `(2).foo`, not `2.foo`)", pos)
        if stop < end and text[stop] in "eE":
            exp = stop + 1
            if exp < end and text[exp] in "+-":
                exp += 1
            if not (exp < end and "0" <= text[exp] <= "9"):
                raise self.fail("missing exponent digits in a scientific literal", stop)
            stop = self._digits_end(_DECIMAL.match(text, exp, end).end())
        return stop

    def _digits_end(self, stop: int) -> int:
        if self.text.startswith("_", stop, self.end):
            raise self.fail("`_` in a number must be followed by a digit", stop)
        return stop


def tokenize(text: str) -> list[Token]:
    """Split Lean text into tokens as Lean does; comments are dropped, doc comments kept as `doc`/`moddoc` tokens.

    Raises LexError (with line and column) for text Lean would refuse or might read in more than one way.
    """
    lexer = _Lexer(text, 0, len(text))
    lexer.run()
    return lexer.tokens


def blank_comments_and_literals(text: str) -> str:
    """`text` with comments, doc comments and string/char literals replaced by spaces (newlines kept)."""
    out = [ch if ch == "\n" else " " for ch in text]
    for tok in tokenize(text):
        if tok.kind not in ("doc", "moddoc", "string", "char"):
            out[tok.start:tok.end] = text[tok.start:tok.end]
    return "".join(out)


def balanced_parens(text: str) -> bool:
    """Whether every `(` in `text` is closed by a later `)` and no `)` comes first."""
    depth = 0
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return depth == 0


def line_of(text: str, offset: int) -> int:
    """1-based line number of `offset` in `text`."""
    return text.count("\n", 0, offset) + 1


def strip_guillemets(name: str) -> str:
    """`«foo».bar` → `foo.bar` (enough for comparing names Lean prints)."""
    return name.replace("«", "").replace("»", "")


class _Namespace(NamedTuple):
    parent: "_Namespace | None"
    part: str


@dataclass
class Command:
    """A top-level command: its tokens and the text span it covers (modifiers and docstring included)."""

    tokens: list[Token]
    start: int
    end: int
    keyword: str
    scope: _Namespace | None = None

    def text(self, source: str) -> str:
        return source[self.start:self.end]

    @property
    def namespace(self) -> tuple[str, ...]:
        """The namespace the command is in (`namespace A.B` … → ("A", "B"))."""
        parts: list[str] = []
        node = self.scope
        while node is not None:
            parts.append(node.part)
            node = node.parent
        return tuple(reversed(parts))


def _is_command_start(tok: Token, prev: Token | None, lines: LineIndex) -> bool:
    if tok.kind in ("hash", "doc", "moddoc"):
        return True
    if tok.kind == "sym" and tok.text == "@[":
        return True
    if tok.kind != "ident":
        return False
    after = prev.text if prev is not None else ""
    if tok.text in COLUMN0_COMMANDS:
        return lines.column(tok.start) == 0
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
    lines = LineIndex(source)
    commands: list[Command] = []
    current: list[Token] = []
    depth = 0
    prefix_only = False
    prev: Token | None = None
    for tok in tokens:
        starts = depth == 0 and _is_command_start(tok, prev, lines)
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
    scopes: list[_Namespace | None] = []
    current: _Namespace | None = None
    for cmd in commands:
        cmd.scope = current
        kw = cmd.keyword
        after = _token_after(cmd.tokens, kw)
        if kw == "namespace" and after is not None:
            for part in _name_parts(after.text):
                scopes.append(current)
                current = _Namespace(current, part)
        elif kw in ("section", "mutual"):
            scopes.append(current)
        elif kw == "end":
            name = after.text if after is not None and after.kind == "ident" and after.text not in COMMAND_KEYWORDS else ""
            for _ in range(len(_name_parts(name)) if name else 1):
                if scopes:
                    current = scopes.pop()


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
