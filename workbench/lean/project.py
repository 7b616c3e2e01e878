"""The workspace's Lean project as a library: modules and imports, proof blocks, statement and checking views, digests.

A settled node's proof lives in its statement module, in a *proof block* that replaces the statement's
declaration (a disproof block follows the declaration instead), so every module that imports it sees the
proof. A block keeps the original declaration as `--:` comment lines, which makes the *statement view* of a
module (every block undone) exact. The *checking view* of a statement view turns each node's declaration
into an axiom of its own name plus a theorem of the node's name proved by that axiom, so the axiom audit of
a candidate names exactly the nodes its proof rests on.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from workbench.errors import UsageError
from workbench.lean.source import LexError, find_declaration, header_imports, strip_guillemets

BLOCK_SECTION = "wb_proof"
DISPROOF_NAMESPACE = "Disproof"
_BEGIN = re.compile(r"^-- wb:begin (proof|disproof) ([a-z0-9]+(?:-[a-z0-9]+)*)\b.*$")
_STATEMENT_PREFIX = "--: "
ROOT_HEADER = (
    "-- Root module of the workspace's Lean project, kept up to date by `wb formalize`: it imports every\n"
    "-- statement module, so `lake build` checks the whole graph, settled proofs included.\n"
)


@dataclass(frozen=True)
class Block:
    """A proof or disproof block in a module: its span, the original declaration and the accepted candidate."""

    kind: str
    id: str
    start: int
    end: int
    statement: str
    candidate: str


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        out.append((pos, line))
        pos += len(line)
    return out


def find_blocks(text: str) -> list[Block]:
    """Every well-formed proof or disproof block of `text`, in order; a damaged block is not returned."""
    lines = _lines_with_offsets(text)
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        start, line = lines[i]
        m = _BEGIN.match(line.rstrip("\n"))
        if not m:
            i += 1
            continue
        kind, node = m.group(1), m.group(2)
        end_marker = f"-- wb:end {kind} {node}"
        j = next((k for k in range(i + 1, len(lines)) if lines[k][1].rstrip("\n") == end_marker), None)
        if j is None:
            i += 1
            continue
        body = [ln for _, ln in lines[i + 1:j]]
        statement: list[str] = []
        while body and (body[0].startswith(_STATEMENT_PREFIX) or body[0].rstrip("\n") == _STATEMENT_PREFIX.rstrip()):
            statement.append(body.pop(0).rstrip("\n")[len(_STATEMENT_PREFIX):])
        opening = ([f"namespace {DISPROOF_NAMESPACE}\n"] if kind == "disproof" else []) + [f"section {BLOCK_SECTION}\n"]
        closing = [f"end {BLOCK_SECTION}\n"] + ([f"end {DISPROOF_NAMESPACE}\n"] if kind == "disproof" else [])
        if body[:len(opening)] == opening and body[len(body) - len(closing):] == closing and len(body) >= len(opening) + len(closing):
            candidate = "".join(body[len(opening):len(body) - len(closing)])
            end = lines[j][0] + len(lines[j][1])
            blocks.append(Block(kind, node, start, end, "\n".join(statement), candidate))
            i = j + 1
        else:
            i += 1
    return blocks


def statement_view(text: str) -> str:
    """The module as formalized: every proof block replaced by the declaration it proved, disproof blocks removed."""
    out, cursor = [], 0
    for block in find_blocks(text):
        out.append(text[cursor:block.start])
        if block.kind == "proof":
            out.append(block.statement + "\n")
        cursor = block.end
    out.append(text[cursor:])
    return "".join(out)


def block_of(text: str, node_id: str) -> Block | None:
    """The proof or disproof block of `node_id` in `text`, if there is one."""
    return next((b for b in find_blocks(text) if b.id == node_id), None)


def _declaration(text: str, decl: str, where: str):
    try:
        found = find_declaration(text, decl)
    except LexError as exc:
        raise UsageError(f"{where}: cannot read the Lean text at offset {exc.offset}: {exc}") from None
    if found is None or found.proof_sep is None:
        raise UsageError(f"{where}: no theorem or lemma named '{decl}' with a ':=' to replace")
    return found


def _line_span(text: str, start: int, end: int, where: str, decl: str) -> tuple[int, int]:
    """The whole lines holding text[start:end]; refused when other code shares those lines."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip():
        raise UsageError(f"{where}: put the declaration of '{decl}' on lines of its own (code precedes it on its first line)")
    nl = text.find("\n", end)
    line_end = len(text) if nl < 0 else nl + 1
    rest = text[end:line_end].strip()
    if rest and not rest.startswith("--"):
        raise UsageError(f"{where}: put the declaration of '{decl}' on lines of its own (code follows it on its last line)")
    return line_start, line_end


def splice(text: str, node_id: str, decl: str, candidate: str, *, negate: bool, header: str, where: str = "module") -> str:
    """`text` with the accepted `candidate` for `node_id` stored in a block: in place of `decl`'s declaration
    for a proof, right after it for a disproof. Raises UsageError when the result would not read back exactly."""
    if block_of(text, node_id) is not None:
        raise UsageError(f"{where} already holds a settlement of '{node_id}'")
    found = _declaration(text, decl, where)
    start, end = _line_span(text, found.command.start, found.command.end, where, decl)
    body = candidate if candidate.endswith("\n") else candidate + "\n"
    kind = "disproof" if negate else "proof"
    lines = [f"-- wb:begin {kind} {node_id} · {header}\n"]
    if negate:
        lines += [f"namespace {DISPROOF_NAMESPACE}\n", f"section {BLOCK_SECTION}\n", body, f"end {BLOCK_SECTION}\n", f"end {DISPROOF_NAMESPACE}\n"]
    else:
        statement = text[start:end].removesuffix("\n")
        lines += [(_STATEMENT_PREFIX + ln if ln else _STATEMENT_PREFIX.rstrip()) + "\n" for ln in statement.split("\n")]
        lines += [f"section {BLOCK_SECTION}\n", body, f"end {BLOCK_SECTION}\n"]
    lines.append(f"-- wb:end {kind} {node_id}\n")
    block = "".join(lines)
    if negate:
        before = text[:end] if text[:end].endswith("\n") or not end else text[:end] + "\n"
        new = before + block + text[end:]
    else:
        new = text[:start] + block + text[end:]
    stored = block_of(new, node_id)
    if stored is None or stored.candidate != body or statement_view(new).rstrip() != statement_view(text).rstrip():
        raise UsageError("the candidate contains text that reads as wb's own block markers (lines starting with `-- wb:`); remove them")
    return new


def withdraw(text: str, node_id: str) -> str:
    """`text` with the settlement block of `node_id` undone (the declaration back as it was formalized)."""
    block = block_of(text, node_id)
    if block is None:
        return text
    keep = block.statement + "\n" if block.kind == "proof" else ""
    return text[:block.start] + keep + text[block.end:]


def assumption_name(node_id: str, salt: str) -> str:
    """The unguessable name of the axiom that stands for `node_id`'s statement in checking views."""
    digest = hashlib.sha256(f"{salt}:{node_id}".encode()).hexdigest()[:10]
    return f"wb_assume_{node_id.replace('-', '_')}_{digest}"


def checking_view(view: str, decls: Mapping[str, str], *, where: str = "module") -> str:
    """`view` (a statement view) with each declaration named in `decls` (decl → axiom name) replaced by an axiom
    of that name and a theorem of the declaration's name proved by it; line numbers are kept."""
    found = []
    for decl, axiom in decls.items():
        d = _declaration(view, decl, where)
        found.append((d, axiom))
    found.sort(key=lambda x: x[0].command.start, reverse=True)
    text = view
    for d, axiom in found:
        start, end = d.command.start, d.command.end
        original = text[start:end]
        prefix = text[start:d.prefix_end]
        modifiers = text[d.prefix_end:d.keyword.start]
        signature = text[d.name.end:d.proof_sep.start]  # type: ignore[union-attr]
        replacement = (
            f"{prefix} axiom _root_.{axiom}{signature}\n"
            f"{prefix} {modifiers} theorem {d.written_name} : type_of% @{axiom} := @{axiom}"
        )
        pad = original.count("\n") - replacement.count("\n")
        text = text[:start] + replacement + "\n" * max(pad, 0) + text[end:]
    return text


def module_file(lean_dir: Path, module: str) -> Path:
    """The file of a module of the Lean project (`Conjectures.Foo` → `<lean_dir>/Conjectures/Foo.lean`)."""
    return Path(lean_dir, *strip_guillemets(module).split(".")).with_suffix(".lean")


def project_modules(lean_dir: Path) -> dict[str, Path]:
    """Every module of the Lean project (its `.lean` files, hidden folders such as `.lake` skipped), by name."""
    import os

    found: dict[str, Path] = {}
    for folder, dirs, files in os.walk(lean_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".lean") and not name.startswith("."):
                path = Path(folder, name)
                rel = path.relative_to(lean_dir)
                found[".".join(rel.with_suffix("").parts)] = path
    return found


def project_stamp(lean_dir: Path) -> str:
    """A cheap fingerprint of the project's module files (names, sizes, modification times)."""
    h = hashlib.sha256()
    for module, path in project_modules(lean_dir).items():
        try:
            st = path.stat()
        except OSError:
            continue
        h.update(f"{module}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}\n".encode())
    return h.hexdigest()


class ModuleTexts:
    """Reads the project's module files once and answers questions about their imports."""

    def __init__(self, lean_dir: Path) -> None:
        self.lean_dir = lean_dir
        self.files = project_modules(lean_dir)
        self._texts: dict[str, str] = {}
        self._views: dict[str, str] = {}
        self._closures: dict[str, list[str]] = {}
        self._imports: dict[str, list[str]] = {}
        self._decls: dict[tuple[str, str], object] = {}

    def text(self, module: str) -> str:
        """The module's text as it is on disk."""
        if module not in self._texts:
            try:
                self._texts[module] = self.files[module].read_text(encoding="utf-8")
            except (KeyError, OSError, UnicodeDecodeError) as exc:
                raise UsageError(f"cannot read the Lean module {module} ({module_file(self.lean_dir, module)}): {exc}") from None
        return self._texts[module]

    def view(self, module: str) -> str:
        """The module's statement view (settlement blocks undone)."""
        if module not in self._views:
            self._views[module] = statement_view(self.text(module))
        return self._views[module]

    def declaration(self, module: str, decl: str):
        """`decl`'s declaration in the module's statement view (remembered), or None."""
        key = (module, decl)
        if key not in self._decls:
            try:
                self._decls[key] = find_declaration(self.view(module), decl)
            except LexError as exc:
                raise UsageError(f"{self.files.get(module, module)}: cannot read the Lean text at offset {exc.offset}: {exc}") from None
        return self._decls[key]

    def imported_by(self, module: str) -> list[str]:
        """Project modules the statement view of `module` imports, transitively, dependencies first (remembered)."""
        if module not in self._closures:
            self._closures[module] = self.closure([], of_text=self.view(module))
        return self._closures[module]

    def imports(self, text: str) -> list[str]:
        """The project modules that `text` imports directly."""
        return [m for m in header_imports(text) if m in self.files]

    def module_imports(self, module: str) -> list[str]:
        """The project modules `module` imports directly (remembered; a settlement block never changes a header)."""
        if module not in self._imports:
            self._imports[module] = self.imports(self.view(module))
        return self._imports[module]

    def closure(self, roots: Iterable[str], *, of_text: str | None = None) -> list[str]:
        """Project modules imported (transitively) by `roots` or by `of_text`, dependencies first."""
        order: list[str] = []
        seen: set[str] = set()
        stack: list[tuple[str, list[str]]] = []
        starts = list(roots) + (self.imports(of_text) if of_text is not None else [])
        for root in starts:
            if root in seen or root not in self.files:
                continue
            seen.add(root)
            stack.append((root, list(self.module_imports(root))))
            while stack:
                node, todo = stack[-1]
                if todo:
                    nxt = todo.pop(0)
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append((nxt, list(self.module_imports(nxt))))
                else:
                    order.append(node)
                    stack.pop()
        return order

    def importers(self, module: str) -> list[str]:
        """Project modules that import `module` (transitively), dependencies first."""
        users = {module}
        order = self.closure(sorted(self.files))
        for m in order:
            if any(d in users for d in self.module_imports(m)):
                users.add(m)
        return [m for m in order if m in users and m != module]


def statement_digest(texts: ModuleTexts, module: str, decl: str) -> str:
    """A digest of what `decl` states: its module's statement view up to the end of the declaration and the
    statement views of every project module it imports (other nodes' proofs excluded)."""
    view = texts.view(module)
    found = texts.declaration(module, decl)
    if found is None or found.proof_sep is None:
        raise UsageError(f"module {module}: no theorem or lemma named '{decl}' with a ':=' to replace")
    h = hashlib.sha256()
    for dep in sorted(texts.imported_by(module)):
        h.update(f"{dep}\0{texts.view(dep).rstrip()}\0".encode())
    h.update(f"{module}\0{view[:found.command.end]}".encode())
    return "sha256:" + h.hexdigest()


def text_digest(text: str) -> str:
    """The digest recorded for an accepted candidate's text."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def root_module_text(existing: str, modules: Iterable[str]) -> str:
    """The root module importing every module in `modules` (what it imported before is kept)."""
    have = header_imports(existing) if existing.strip() else []
    wanted = sorted(set(have) | set(modules))
    return ROOT_HEADER + "prelude\n" + "".join(f"import {m}\n" for m in wanted)
