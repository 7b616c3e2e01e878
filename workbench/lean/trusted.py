"""The names Lean's kernel treats specially, which a candidate may not declare, and the probes that ask Lean who declared them.

The kernel computes with `Nat` literals through built-in big-number arithmetic keyed by the names below, turns
string literals into `String.mk`/`Char.ofNat`/`List` terms, and gives `Quot` its own reduction rule. In an
environment where the statement does not declare them (a `prelude` file), a candidate that declares its own
`Nat.beq` or `Quot.lift` with other meanings makes the kernel prove `False`. The checker asks Lean, with
`#check_failure @_root_.NAME` probes placed before and after the candidate, which of these names exist; one that
appears only after the candidate was declared by it, and is refused. The same probes tell whether each allowed
axiom comes from the statement's environment.
"""

from __future__ import annotations

KERNEL_NAMES: tuple[str, ...] = (
    "Nat", "Nat.zero", "Nat.succ", "Nat.rec", "Nat.add", "Nat.sub", "Nat.mul", "Nat.div", "Nat.mod", "Nat.gcd",
    "Nat.beq", "Nat.ble", "Nat.land", "Nat.lor", "Nat.xor", "Nat.shiftLeft", "Nat.shiftRight", "Nat.pow", "Nat.log2",
    "Bool", "Bool.true", "Bool.false", "Eq", "Eq.refl",
    "String", "String.mk", "Char", "Char.ofNat", "List", "List.nil", "List.cons",
    "Quot", "Quot.mk", "Quot.lift", "Quot.ind",
    "Lean.reduceBool", "Lean.reduceNat", "Lean.ofReduceBool", "Lean.ofReduceNat",
)
"""Constants whose meaning the kernel assumes (literal arithmetic, string literals, quotients, native reduction)."""


def probe(name: str) -> str:
    """A command that fails to elaborate either way, reporting as information `Unknown identifier` when NAME does not
    exist and a type mismatch when it does (nothing has type `Sort 29`), so it never stops Lean writing the module."""
    from workbench.lean.verify import lean_name

    return f"#check_failure (@_root_.{lean_name(name)} : Sort 29)"


def is_absent(messages: list) -> bool:
    """Whether a probe's messages say its name does not exist (anything unexpected counts as present)."""
    return bool(messages) and all(m.severity == "information" for m in messages) and any(
        m.text.lower().startswith(("unknown identifier", "unknown constant")) for m in messages)
