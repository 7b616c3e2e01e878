"""Turning a whole Lean file a person or model wrote into a candidate: drop what merely repeats the statement file."""

from __future__ import annotations

import re

from workbench.lean.source import Command, LexError, find_declaration, split_commands


def _key(command: Command) -> str:
    return " ".join(re.sub(r"\s+", " ", tok.text) for tok in command.tokens)


def normalize_candidate(statement_text: str, file_text: str, name: str) -> str:
    """`file_text` without the commands that repeat STATEMENT's own commands verbatim (whitespace and comments aside).

    Repeated `prelude`/`import` lines, `open`s, `namespace`/`section`/`end`, `variable`s and earlier or later
    declarations are dropped wherever they appear; NAME's own declaration and everything else stay and are judged.
    Dropped text is replaced by its line breaks, so Lean's line numbers still point into the file as written.
    """
    try:
        statement_commands = split_commands(statement_text)
        file_commands = split_commands(file_text)
    except LexError:
        return file_text
    target = find_declaration(statement_text, name)
    skip = target.command.start if target is not None else -1
    known = {_key(c) for c in statement_commands if c.start != skip}
    out: list[str] = []
    cursor = 0
    for command in file_commands:
        if _key(command) not in known:
            continue
        out.append(file_text[cursor:command.start])
        out.append("\n" * file_text.count("\n", command.start, command.end))
        cursor = command.end
    out.append(file_text[cursor:])
    return "".join(out)
