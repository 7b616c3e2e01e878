"""Turning a whole Lean file a person or model wrote into a candidate: drop what merely repeats the statement file."""

from __future__ import annotations

from workbench.lean.source import Command, Declaration, LexError, declarations, find_declaration, split_commands, tokenize

PROVED_SUFFIX = "_proved"
"""Appended to the name of an earlier sorried lemma of the statement that a candidate proves on the way."""


def _key(command: Command) -> str:
    return " ".join(tok.text for tok in command.tokens if tok.kind not in ("doc", "moddoc"))


def _is_audit(command: Command) -> bool:
    """Whether the command is `#print axioms NAME`, which models often append to a proof."""
    toks = command.tokens
    return len(toks) == 3 and toks[0].kind == "hash" and toks[0].text == "#print" and toks[1].text == "axioms" and toks[2].kind == "ident"


def _header_key(decl: Declaration) -> str:
    """The declaration's tokens up to its `:=` (docstrings aside): what it states, not how it is proved."""
    stop = decl.proof_sep.start if decl.proof_sep is not None else decl.command.end
    return " ".join(t.text for t in decl.command.tokens if t.start < stop and t.kind not in ("doc", "moddoc"))


def _renamed_helpers(statement_text: str, file_text: str, name: str) -> str:
    """`file_text` where each re-proved earlier lemma of the statement (same statement, another proof) is renamed
    `<name>_proved`, and so are the later references to it, so it is a helper instead of a clash."""
    target = find_declaration(statement_text, name)
    if target is None:
        return file_text
    earlier = {_header_key(d): d for d in declarations(statement_text) if d.command.start < target.command.start}
    if not earlier:
        return file_text
    known = {" ".join(t.text for t in c.tokens if t.kind not in ("doc", "moddoc")) for c in split_commands(statement_text)}
    renames: list[tuple[str, int]] = []
    for decl in declarations(file_text):
        same = earlier.get(_header_key(decl))
        body = " ".join(t.text for t in decl.command.tokens if t.kind not in ("doc", "moddoc"))
        if same is not None and body not in known and strip(decl.full_name) != strip(target.full_name):
            renames.append((decl.written_name, decl.name.start))
    if not renames:
        return file_text
    edits: list[tuple[int, int, str]] = []
    tokens = tokenize(file_text)
    for written, start in renames:
        last = written.rsplit(".", 1)[-1]
        for tok in tokens:
            if tok.kind == "ident" and tok.start >= start and (tok.text == written or tok.text.endswith("." + written) or tok.text == last):
                edits.append((tok.start, tok.end, tok.text + PROVED_SUFFIX))
    out, cursor = [], 0
    for begin, end, text in sorted(set(edits)):
        out.append(file_text[cursor:begin])
        out.append(text)
        cursor = end
    out.append(file_text[cursor:])
    return "".join(out)


def strip(name: str) -> str:
    """A name without `«»` quotes or a `_root_.` prefix, for comparisons."""
    return name.replace("«", "").replace("»", "").removeprefix("_root_.")


def normalize_candidate(statement_text: str, file_text: str, name: str) -> str:
    """`file_text` without the commands that repeat STATEMENT's own commands and without trailing `#print axioms X`.

    Commands are compared token by token, so whitespace, comments and docstrings do not matter. Repeated
    `prelude`/`import` lines, `open`s, `namespace`/`section`/`end`, `variable`s and earlier or later declarations
    are dropped wherever they appear, and so are the `#print axioms X` commands that end the file; an earlier
    sorried lemma of the statement that the file proves becomes a helper named `<lemma>_proved` (see
    `_renamed_helpers`); NAME's own declaration and everything else stay and are judged. Dropped text is replaced by its line breaks, so Lean's
    line numbers still point into the file as written.
    """
    try:
        file_text = _renamed_helpers(statement_text, file_text, name)
        statement_commands = split_commands(statement_text)
        file_commands = split_commands(file_text)
    except LexError:
        return file_text
    target = find_declaration(statement_text, name)
    skip = target.command.start if target is not None else -1
    known = {_key(c) for c in statement_commands if c.start != skip}
    dropped = [_key(c) in known for c in file_commands]
    for i in reversed(range(len(file_commands))):
        if not dropped[i]:
            if not _is_audit(file_commands[i]):
                break
            dropped[i] = True
    out: list[str] = []
    cursor = 0
    for command, drop in zip(file_commands, dropped):
        if not drop:
            continue
        out.append(file_text[cursor:command.start])
        out.append("\n" * file_text.count("\n", command.start, command.end))
        cursor = command.end
    out.append(file_text[cursor:])
    return "".join(out)
