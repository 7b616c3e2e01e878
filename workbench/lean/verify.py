"""The verification pipeline: a candidate proof is accepted only when Lean, the axiom audit and the kernel agree."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from workbench.errors import UsageError
from workbench.lean import sandbox as sb
from workbench.lean.forbidden import scan
from workbench.lean.messages import LineMap, RawMessage, Region, parse_audit, parse_json_lines
from workbench.lean.source import Declaration, find_declaration, header_end, line_of, strip_guillemets
from workbench.lean.toolchain import Toolchain, build_imports
from workbench.model import LeanMessage, Reason, ReasonCode, Verdict

CHECKER_VERSION = "wb-verify/2"
"""Changes whenever the rules below change, so a stored verdict says which rules it passed."""

MAX_CANDIDATE_BYTES = 1_048_576
"""Largest candidate accepted (1 MiB of UTF-8); anything bigger is `bad-input` without running Lean."""

DEFAULT_AXIOMS = ("propext", "Classical.choice", "Quot.sound")
"""Axioms a proof may depend on unless more are allowed (`--allow-axiom`)."""

_UNKNOWN = ("unknown constant", "unknown identifier", "unknown declaration")
_INTERNAL = re.compile(r"^internal exception #\d+$")
_NAME_RE = re.compile(r"^[^\s.«»]+(\.[^\s.«»]+)*$")


def read_candidate(candidate: str | bytes) -> tuple[str | None, str | None]:
    """(text, None) for a usable candidate, or (None, why) when it is not UTF-8, empty, too large or has NUL bytes."""
    data = candidate.encode("utf-8", "surrogatepass") if isinstance(candidate, str) else bytes(candidate)
    if len(data) > MAX_CANDIDATE_BYTES:
        return None, f"candidate is {len(data)} bytes; the limit is {MAX_CANDIDATE_BYTES} bytes (1 MiB)"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"candidate is not valid UTF-8 (byte {exc.start})"
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        return None, "candidate contains a NUL byte"
    if not text.strip():
        return None, "candidate is empty"
    return text, None


def read_statement(statement: Path) -> str:
    """The statement file's text; a missing or unreadable statement is a UsageError."""
    try:
        return Path(statement).read_bytes().decode("utf-8").removeprefix("\ufeff")
    except FileNotFoundError as exc:
        raise UsageError(f"statement file {statement} does not exist") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"statement file {statement} is not UTF-8") from exc
    except OSError as exc:
        raise UsageError(f"cannot read statement file {statement}: {exc.strerror}") from exc


def target_declaration(statement: Path, text: str, name: str) -> Declaration:
    """NAME's theorem/lemma declaration in the statement text (fully qualified or as written)."""
    decl = find_declaration(text, name)
    if decl is None:
        raise UsageError(f"{statement}: no theorem or lemma named '{name}'", hint="--name takes the declaration's name, fully qualified or as written")
    if decl.proof_sep is None:
        raise UsageError(f"{statement}:{line_of(text, decl.name.start)}: cannot find ':=' after the statement of '{name}'")
    if any(t.text == "private" for t in decl.modifiers):
        raise UsageError(
            f"{statement}:{line_of(text, decl.name.start)}: '{name}' is private, so no other module (the checker's included) can name it",
            hint="drop `private` from the target's declaration",
        )
    return decl


def lean_name(full: str) -> str:
    """A fully qualified name written so Lean reads it back (components that need it in «»)."""
    from workbench.lean.source import _ident_char, _ident_start, _name_parts

    parts = _name_parts(full)
    out = []
    for p in parts:
        plain = p and _ident_start(p[0]) and all(_ident_char(c) for c in p)
        out.append(p if plain else f"«{p}»")
    return ".".join(out)


@dataclass
class Assembly:
    """The single file Lean checks, with the map from its lines back to the candidate's and the statement's."""

    text: str
    lines: LineMap
    audit_line: int
    full_name: str
    nonce: str
    probes_before: dict[int, str] = field(default_factory=dict)  # line → name probed before the candidate
    probes_after: dict[int, str] = field(default_factory=dict)

    @property
    def module(self) -> str:
        return f"WbCheck_{self.nonce}"

    @property
    def reference(self) -> str:
        return f"wb_stmt_{self.nonce}"

    @property
    def sorry_axiom(self) -> str:
        return f"wb_sorry_{self.nonce}"


def assemble(statement_text: str, decl: Declaration, candidate: str, nonce: str, probes: Sequence[str] = ()) -> Assembly:
    """STATEMENT before NAME, NAME's statement as `wb_stmt_<nonce>` (proof: the checker's own axiom), the candidate, the audit;
    each name in `probes` is probed (see workbench/lean/trusted.py) right before and right after the candidate."""
    from workbench.lean.trusted import probe

    sorry_ax = f"wb_sorry_{nonce}"
    header_stop = min(header_end(statement_text), decl.command.start)
    before = statement_text[:header_stop] + f" axiom _root_.{sorry_ax}.{{wb_u}} (α : Sort wb_u) : α " + statement_text[header_stop:decl.command.start]
    opens = statement_text[decl.command.start:decl.prefix_end]
    blank = "\n" * statement_text.count("\n", decl.prefix_end, decl.name.end)
    signature = statement_text[decl.name.end:decl.proof_sep.start]
    ns = ".".join(lean_name(p) for p in decl.namespace_prefix)
    reference = (f"namespace {ns} " if ns else "") + opens + blank + f"theorem _root_.wb_stmt_{nonce}" + signature + f":= {sorry_ax} _"
    head = before + reference
    statement_last = head.count("\n") + 1
    probe_text = "".join(probe(p) + "\n" for p in probes)
    tail_open = (f"\nend {ns}" if ns else "") + "\n" + probe_text + f"section wb_cand_{nonce}\n"
    first_probe = statement_last + 1 + (1 if ns else 0)
    first_candidate = statement_last + tail_open.count("\n")
    body = candidate if candidate.endswith("\n") else candidate + "\n"
    candidate_last = first_candidate + body.count("\n") - 1
    full = lean_name(strip_guillemets(decl.full_name))
    closing = f"end wb_cand_{nonce}\n" + probe_text + f"set_option pp.fullNames true in #print axioms _root_.{full}\n"
    text = head + tail_open + body + closing
    audit_line = candidate_last + 2 + len(probes)
    regions = [
        Region(1, statement_last, "statement", 0),
        Region(statement_last + 1, first_candidate - 1, "checker", 0),
        Region(first_candidate, candidate_last, "candidate", first_candidate - 1),
        Region(candidate_last + 1, audit_line, "checker", 0),
    ]
    return Assembly(
        text, LineMap(regions), audit_line, strip_guillemets(decl.full_name), nonce,
        probes_before={first_probe + i: p for i, p in enumerate(probes)},
        probes_after={candidate_last + 2 + i: p for i, p in enumerate(probes)},
    )


EMPTY_CHECK_LINE = 3
"""Line of the final module that, for a disproof, proves the `False` it names is empty (eliminates into every `Prop`)."""


def final_check_text(assembly: Assembly, *, negate: bool) -> str:
    """The fresh module that asks the kernel whether NAME has exactly the statement's type (or its negation).

    For a negation, a second theorem proves `∀ p : Prop, False → p`: a `False` declared by the candidate
    with a constructor (so inhabited) fails it, so a true statement cannot be recorded disproved."""
    target = f"type_of% @{assembly.reference}"
    empty = ""
    if negate:
        target = f"({target}) → False"
        empty = f"theorem wb_empty_{assembly.nonce} (wb_p : Prop) (wb_h : False) : wb_p := False.rec (motive := fun _ => wb_p) wb_h"
    final = f"wb_final_{assembly.nonce}"
    return (
        f"prelude\nimport {assembly.module}\n{empty}\n"
        f"theorem {final} : {target} := @{lean_name(assembly.full_name)}\n"
        f"set_option pp.fullNames true in #print axioms {final}\nset_option pp.fullNames true in #print {final}\n"
    )


def _lean_env(toolchain: Toolchain, scratch: Path, roots: Sequence[Path] = ()) -> dict[str, str]:
    from workbench.lean.build import lean_env

    return lean_env(toolchain, [*roots, scratch])


@dataclass
class _Run:
    result: sb.RunResult
    messages: list[RawMessage]


class _Checker:
    """One verification: holds the limits, the scratch directory and the verdict being built."""

    def __init__(self, toolchain: Toolchain, *, timeout: float, memory_mb: int, sandbox: str, roots: Sequence[Path] = (), assumptions: Mapping[str, str] | None = None) -> None:
        self.toolchain = toolchain
        self.roots = list(roots)
        self.assumptions = dict(assumptions or {})
        self.assumed: set[str] = set()
        self.declared_by_candidate: set[str] = set()
        self.replayed_by: str | None = None
        self.deadline = time.monotonic() + timeout
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.use_bwrap = sb.use_sandbox(sandbox)
        self.sandbox_mode = sandbox
        self.messages: list[LeanMessage] = []
        self.reasons: list[Reason] = []

    def lean(self, scratch: Path, args: list[str]) -> _Run | None:
        """Run Lean; on timeout or memory exhaustion record the reason and return None."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.reasons.append(Reason(code=ReasonCode.timeout, message=f"Lean did not finish within {self.timeout:g} s"))
            return None
        result = sb.run(
            [*self.toolchain.lean_cmd, *args], cwd=self.toolchain.cwd or scratch, env=_lean_env(self.toolchain, scratch, self.roots),
            timeout=remaining, memory_mb=self.memory_mb, sandbox=self.use_bwrap, writable=[scratch],
        )
        if result.timed_out:
            self.reasons.append(Reason(code=ReasonCode.timeout, message=f"Lean did not finish within {self.timeout:g} s and was killed"))
            return None
        if result.out_of_memory:
            self.reasons.append(Reason(code=ReasonCode.memory, message=f"Lean exceeded the memory cap of {self.memory_mb} MB and was killed"))
            return None
        return _Run(result, parse_json_lines(result.stdout))

    def drop_noise(self) -> None:
        """Forget `internal exception #N` reasons that merely follow a real error (Lean prints both)."""
        errors = [r for r in self.reasons if r.code == ReasonCode.lean_error]
        noise = [r for r in errors if _INTERNAL.match(r.message.rsplit(": ", 1)[-1].strip())]
        if noise and len(noise) < len(errors):
            self.reasons = [r for r in self.reasons if r not in noise]

    def warn_unsandboxed(self) -> None:
        if not self.use_bwrap and self.sandbox_mode == "auto":
            import warnings

            path, _, why = sb.sandbox_status()
            note = "bubblewrap (bwrap) is not installed" if path is None else f"bubblewrap cannot sandbox here ({why})"
            warnings.warn(f"{note}: Lean ran without network and filesystem isolation; {sb.BWRAP_INSTALL_HINT}", sb.SandboxUnavailableWarning, stacklevel=3)

    def verdict(self, started: float, axioms: list[str] | None = None) -> Verdict:
        return Verdict(
            verdict="rejected" if self.reasons else "accepted",
            reasons=self.reasons,
            axioms=axioms or [],
            lean_version=self.toolchain.version,
            elapsed_s=round(time.monotonic() - started, 3),
            messages=self.messages,
            checker_version=CHECKER_VERSION,
            assumptions=sorted(self.assumed),
            replayed_by=self.replayed_by,
        )


def _rejected(code: ReasonCode, message: str, started: float, toolchain: Toolchain | None, line: int | None = None) -> Verdict:
    return Verdict(
        verdict="rejected", reasons=[Reason(code=code, message=message, line=line)],
        lean_version=toolchain.version if toolchain else None,
        elapsed_s=round(time.monotonic() - started, 3), checker_version=CHECKER_VERSION,
    )


def verify(
    statement: Path,
    candidate: str | bytes,
    name: str,
    *,
    toolchain: Toolchain,
    timeout: float = 300,
    memory_mb: int = 8192,
    sandbox: str = "auto",
    allow_axioms: Iterable[str] = (),
    negate: bool = False,
    strict: bool = True,
    lean_path: Sequence[Path] = (),
    assumptions: Mapping[str, str] | None = None,
    replay: bool = False,
) -> Verdict:
    """Check that `candidate` proves NAME of `statement` (its negation with `negate`); never raises for a bad candidate.

    Raises UsageError when STATEMENT or NAME is unusable and ToolchainError when Lean or the sandbox cannot run.
    `strict=False` first drops what the candidate repeats of the statement file (see `normalize_candidate`).
    `lean_path` puts built modules the statement imports first on LEAN_PATH; `assumptions` maps axiom names that
    stand for other nodes' statements to labels: the proof may use them, and the verdict lists the labels it did.
    `replay` also replays the compiled candidate module through an independent checker (`replay_checker`).
    """
    started = time.monotonic()
    text, problem = read_candidate(candidate)
    if text is None:
        return _rejected(ReasonCode.bad_input, problem or "unreadable candidate", started, toolchain)
    statement = Path(statement)
    statement_text = read_statement(statement)
    decl = target_declaration(statement, statement_text, name)
    if not strict:
        from workbench.lean.normalize import normalize_candidate

        text = normalize_candidate(statement_text, text, name)
    findings = scan(text, strict=True)
    if findings:
        verdict = _rejected(ReasonCode.forbidden, findings[0].message, started, toolchain, findings[0].line)
        verdict.reasons = [Reason(code=ReasonCode(code), message=f.message, line=f.line) for f in findings for code in f.codes]
        return verdict
    if time.monotonic() - started >= timeout:
        return _rejected(ReasonCode.timeout, f"reading and scanning the candidate took longer than {timeout:g} s", started, toolchain)
    checker = _Checker(toolchain, timeout=timeout, memory_mb=memory_mb, sandbox=sandbox, roots=lean_path, assumptions=assumptions)
    checker.deadline = started + timeout
    build_imports(toolchain, statement_text, extra_roots=lean_path)
    allowed = set(DEFAULT_AXIOMS) | {a.strip() for a in allow_axioms if a.strip()}
    from workbench.lean.trusted import KERNEL_NAMES

    probes = sorted(set(KERNEL_NAMES) | {a for a in allowed if _NAME_RE.match(a)})
    assembly = assemble(statement_text, decl, text, secrets.token_hex(8), probes)
    replayer = replay_checker() if replay else None
    if replay and replayer is None:
        raise UsageError("--replay needs an independent checker: lean4checker is not on PATH", hint=REPLAY_HINT)
    scratch = sb.scratch_dir("verify")
    try:
        axioms = _stage_one(checker, scratch, assembly, allowed)
        if not checker.reasons:
            _stage_two(checker, scratch, assembly, allowed, negate=negate)
        if replayer is not None and not checker.reasons:
            _replay(checker, scratch, assembly, replayer)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    checker.warn_unsandboxed()
    return checker.verdict(started, axioms)


REPLAY_HINT = "build lean4checker (github.com/leanprover/lean4checker) for your toolchain and put it on PATH; `wb doctor` says whether it is found"


def replay_checker() -> str | None:
    """The independent checker `--replay` uses (`lean4checker` on PATH), if installed."""
    return shutil.which("lean4checker")


def _replay(checker: _Checker, scratch: Path, assembly: Assembly, replayer: str) -> None:
    """Replay the compiled candidate module's declarations through an independent kernel (`lean4checker --fresh`)."""
    remaining = checker.deadline - time.monotonic()
    if remaining <= 0:
        checker.reasons.append(Reason(code=ReasonCode.timeout, message=f"the independent replay did not start within {checker.timeout:g} s"))
        return
    result = sb.run(
        [replayer, "--fresh", assembly.module], cwd=scratch, env=_lean_env(checker.toolchain, scratch, checker.roots),
        timeout=remaining, memory_mb=checker.memory_mb, sandbox=checker.use_bwrap, writable=[scratch],
    )
    if result.timed_out or result.out_of_memory:
        code = ReasonCode.timeout if result.timed_out else ReasonCode.memory
        checker.reasons.append(Reason(code=code, message=f"the independent replay ({Path(replayer).name}) was stopped at the limit"))
    elif result.returncode != 0:
        tail = (result.stderr.strip() or result.stdout.strip())[-800:]
        checker.reasons.append(Reason(code=ReasonCode.lean_error, message=f"the independent replay ({Path(replayer).name}) rejected the compiled module: {tail or f'exit {result.returncode}'}"))
    else:
        checker.replayed_by = Path(replayer).name


def _map(assembly: Assembly, raw: RawMessage) -> tuple[LeanMessage, str]:
    origin, line = assembly.lines.locate(raw.line)
    column = raw.column if origin != "checker" else None
    return LeanMessage(severity=raw.severity, text=raw.text, line=line, column=column, in_candidate=origin == "candidate"), origin


def _stage_one(checker: _Checker, scratch: Path, assembly: Assembly, allowed: set[str]) -> list[str]:
    source = scratch / f"{assembly.module}.lean"
    source.write_text(assembly.text, encoding="utf-8")
    run = checker.lean(scratch, ["--json", f"--root={scratch}", "-o", str(scratch / f"{assembly.module}.olean"), str(source)])
    if run is None:
        return []
    audit: tuple[str, list[str]] | None = None
    missing = False
    probed: dict[int, list[RawMessage]] = {}
    for raw in run.messages:
        if raw.line in assembly.probes_before or raw.line in assembly.probes_after:
            probed.setdefault(raw.line, []).append(raw)
            continue
        message, origin = _map(assembly, raw)
        if raw.line == assembly.audit_line and raw.severity == "information" and audit is None:
            audit = parse_audit(raw.text)
            if audit is not None:
                continue
        checker.messages.append(message)
        if raw.severity != "error":
            continue
        if raw.line == assembly.audit_line and any(u in raw.text.lower() for u in _UNKNOWN):
            missing = True
            continue
        where = "" if origin == "candidate" else ("in the statement: " if origin == "statement" else "after the candidate: ")
        checker.reasons.append(Reason(code=ReasonCode.lean_error, message=where + raw.text.strip(), line=message.line if origin == "candidate" else None))
    checker.drop_noise()
    full = assembly.full_name
    if missing or (audit is not None and audit[0] != full):
        checker.reasons.append(Reason(code=ReasonCode.missing_declaration, message=f"the candidate does not declare '{full}'"))
        return []
    probe_errors = any(m.severity == "error" for ms in probed.values() for m in ms)
    if run.result.returncode != 0 and not probe_errors and not any(r.code == ReasonCode.lean_error for r in checker.reasons):
        tail = (run.result.stderr.strip() or run.result.stdout.strip())[-500:]
        checker.reasons.append(Reason(code=ReasonCode.lean_error, message=f"Lean exited with status {run.result.returncode}: {tail or 'no output'}"))
    if run.result.returncode not in (0, 1) and not checker.reasons:
        checker.reasons.append(Reason(code=ReasonCode.lean_error, message=f"Lean exited with status {run.result.returncode}"))
    checker.declared_by_candidate = _declared_by_candidate(assembly, probed)
    if audit is None:
        if not checker.reasons:
            checker.reasons.append(Reason(code=ReasonCode.lean_error, message="Lean did not print the axiom audit of the candidate; the file was not fully checked"))
        return []
    _audit_declared(checker, allowed)
    _audit_axioms(checker, assembly, audit[1], allowed, full)
    return [a for a in audit[1] if a not in checker.assumptions]


def _declared_by_candidate(assembly: Assembly, probed: dict[int, list[RawMessage]]) -> set[str]:
    """The probed names that did not exist before the candidate and exist after it (Lean's own answer)."""
    from workbench.lean.trusted import is_absent

    before = {name: is_absent(probed.get(line, [])) for line, name in assembly.probes_before.items()}
    after = {name: is_absent(probed.get(line, [])) for line, name in assembly.probes_after.items()}
    return {name for name, absent in before.items() if absent and not after.get(name, False)}


def _audit_declared(checker: _Checker, allowed: set[str]) -> None:
    """Refuse a candidate that declared a name the kernel trusts, or an axiom with an allowed axiom's name."""
    from workbench.lean.trusted import KERNEL_NAMES

    for name in sorted(checker.declared_by_candidate):
        if name in KERNEL_NAMES:
            checker.reasons.append(Reason(code=ReasonCode.forbidden, message=f"the candidate declares `{name}`, a name Lean's kernel treats specially (see workbench/lean/trusted.py); declare it in the statement file"))
        if name in allowed:
            checker.reasons.append(Reason(code=ReasonCode.axiom, message=f"the candidate declares `{name}`, the name of an allowed axiom; allowed axioms must come from the statement's environment"))


def _audit_axioms(checker: _Checker, assembly: Assembly, axioms: list[str], allowed: set[str], who: str) -> None:
    for ax in axioms:
        if ax == "sorryAx":
            checker.reasons.append(Reason(code=ReasonCode.sorry, message=f"'{who}' depends on sorry"))
        elif ax in checker.assumptions:
            checker.assumed.add(checker.assumptions[ax])
        elif ax == assembly.sorry_axiom:
            checker.reasons.append(Reason(code=ReasonCode.axiom, message=f"'{who}' depends on the checker's own copy of the statement (found by a library search such as exact?); that is circular"))
        elif ax not in allowed:
            checker.reasons.append(Reason(code=ReasonCode.axiom, message=f"'{who}' depends on axiom '{ax}', which is not allowed (allow it with --allow-axiom {ax})"))
        elif ax in checker.declared_by_candidate:
            continue  # refused once by _audit_declared


def _stage_two(checker: _Checker, scratch: Path, assembly: Assembly, allowed: set[str], *, negate: bool) -> None:
    final = scratch / f"WbFinal_{assembly.nonce}.lean"
    final.write_text(final_check_text(assembly, negate=negate), encoding="utf-8")
    run = checker.lean(scratch, ["--json", str(final)])
    if run is None:
        return
    full = assembly.full_name
    what = "the negation of the statement" if negate else "the statement"
    errors = [m for m in run.messages if m.severity == "error"]
    if len(errors) > 1:
        errors = [m for m in errors if not _INTERNAL.match(m.text.strip())] or errors
    if errors or run.result.returncode != 0:
        detail = "; ".join(m.text.strip() for m in errors)[:2000] or run.result.stderr.strip()[-500:]
        for m in errors:
            checker.messages.append(LeanMessage(severity="error", text=m.text, line=None, column=None, in_candidate=False))
        if negate and any(m.line == EMPTY_CHECK_LINE for m in errors):
            checker.reasons.append(Reason(code=ReasonCode.statement_mismatch, message=(
                "`False` here is not the empty proposition (it has a constructor, or is not an inductive type), so a "
                f"proof of `¬ statement` proves nothing; declare `False` in the statement file, not the candidate: {detail}")))
            return
        checker.reasons.append(Reason(code=ReasonCode.statement_mismatch, message=f"'{full}' does not have the type of {what} (checked by the kernel in a fresh module): {detail}"))
        return
    final_name = f"wb_final_{assembly.nonce}"
    audits = [a for a in (parse_audit(m.text) for m in run.messages if m.severity == "information") if a and a[0] == final_name]
    printed = [m.text for m in run.messages if m.severity == "information" and m.text.lstrip().startswith("theorem " + final_name)]
    if not audits or not printed:
        checker.reasons.append(Reason(code=ReasonCode.statement_mismatch, message="the final kernel check printed no result"))
        return
    _audit_axioms(checker, assembly, audits[0][1], allowed, full)
    value = printed[0].rsplit(":=", 1)[-1].strip().removeprefix("@")
    if "." in value and value.endswith("}") and ".{" in value:
        value = value[: value.rindex(".{")]
    if strip_guillemets(value) != full:
        checker.reasons.append(Reason(code=ReasonCode.statement_mismatch, message=f"'{full}' has the statement's type only after elaboration inserted `{value}`; its own type differs"))


def check_statement(
    statement: Path,
    name: str | None,
    *,
    toolchain: Toolchain,
    timeout: float = 300,
    memory_mb: int = 8192,
    sandbox: str = "auto",
    lean_path: Sequence[Path] = (),
) -> Verdict:
    """Check that STATEMENT elaborates (sorry allowed) and declares `name` when given; messages carry the file's lines."""
    started = time.monotonic()
    statement = Path(statement)
    text = read_statement(statement)
    full = None
    if name:
        decl = find_declaration(text, name)
        full = strip_guillemets(decl.full_name) if decl else strip_guillemets(name.removeprefix("_root_."))
    checker = _Checker(toolchain, timeout=timeout, memory_mb=memory_mb, sandbox=sandbox, roots=lean_path)
    build_imports(toolchain, text, extra_roots=lean_path)
    body = text if text.endswith("\n") else text + "\n"
    audit_line = body.count("\n") + 1
    if full:
        body += f"set_option pp.fullNames true in #print axioms _root_.{lean_name(full)}\n"
    scratch = sb.scratch_dir("statement")
    axioms: list[str] = []
    try:
        source = scratch / (statement.name if statement.suffix == ".lean" else "Statement.lean")
        source.write_text(body, encoding="utf-8")
        run = checker.lean(scratch, ["--json", str(source)])
        if run is not None:
            audit = None
            for raw in run.messages:
                if full and raw.line == audit_line:
                    parsed = parse_audit(raw.text) if raw.severity == "information" else None
                    if parsed and parsed[0] == full:
                        audit = parsed
                    elif raw.severity == "error":
                        checker.reasons.append(Reason(code=ReasonCode.missing_declaration, message=f"{statement} does not declare '{full}'"))
                    continue
                checker.messages.append(LeanMessage(severity=raw.severity, text=raw.text, line=raw.line, column=raw.column, in_candidate=False))
                if raw.severity == "error":
                    checker.reasons.append(Reason(code=ReasonCode.lean_error, message=f"{statement}:{raw.line}: {raw.text.strip()}", line=raw.line))
            checker.drop_noise()
            if run.result.returncode != 0 and not checker.reasons:
                checker.reasons.append(Reason(code=ReasonCode.lean_error, message=f"Lean exited with status {run.result.returncode}: {run.result.stderr.strip()[-500:]}"))
            if full and audit is None and not any(r.code == ReasonCode.missing_declaration for r in checker.reasons):
                checker.reasons.append(Reason(code=ReasonCode.missing_declaration, message=f"{statement} does not declare '{full}'"))
            axioms = audit[1] if audit else []
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    checker.warn_unsandboxed()
    return checker.verdict(started, axioms)
