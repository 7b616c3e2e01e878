"""Turning a whole Lean file a person or model wrote into a candidate: drop what merely repeats the statement file."""

from __future__ import annotations

from workbench.lean.source import Command, LexError, find_declaration, split_commands


def _key(command: Command) -> str:
    return " ".join(tok.text for tok in command.tokens if tok.kind not in ("doc", "moddoc"))


def _is_audit(command: Command) -> bool:
    """Whether the command is `#print axioms NAME`, which models often append to a proof."""
    toks = command.tokens
    return len(toks) == 3 and toks[0].kind == "hash" and toks[0].text == "#print" and toks[1].text == "axioms" and toks[2].kind == "ident"


def normalize_candidate(statement_text: str, file_text: str, name: str) -> str:
    """`file_text` without the commands that repeat STATEMENT's own commands and without trailing `#print axioms X`.

    Commands are compared token by token, so whitespace, comments and docstrings do not matter. Repeated
    `prelude`/`import` lines, `open`s, `namespace`/`section`/`end`, `variable`s and earlier or later declarations
    are dropped wherever they appear, and so are the `#print axioms X` commands that end the file; NAME's own
    declaration and everything else stay and are judged. Dropped text is replaced by its line breaks, so Lean's
    line numbers still point into the file as written.
    """
    try:
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
