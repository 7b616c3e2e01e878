"""A Lean 4 / Mathlib statement drafted from a claim by a custom sympy printer: to read, edit and attach by hand.

Arithmetic is printed in ℝ: integer variables become `ℕ` (or `ℤ` when they may be negative) binders cast
with `(n : ℝ)`, natural-number exponents stay `x ^ n`, other powers are `rpow`, `sqrt` and `log` are
`Real.sqrt` and `Real.log`, `harmonic`, `factorial` and `binomial` are Mathlib's `harmonic`,
`Nat.factorial` and `Nat.choose`, and asymptotic claims become `=O[atTop]`, `=o[atTop]`, `=Θ[atTop]`
and `~[atTop]` between functions of the limit variable. Conditions become hypotheses. Runs in the child
process, with sympy's evaluation off so the claim keeps its shape.
"""

from __future__ import annotations

from workbench.lean.source import balanced_parens

from typing import Any

from workbench.checks.claims import Asymptotic, Claim, Domain, Expr, Relation

LEAN_KEYWORDS = {
    "at", "by", "do", "else", "end", "fun", "have", "if", "in", "let", "match", "then", "with", "where", "from",
    "show", "open", "def", "theorem", "lemma", "axiom", "example", "instance", "structure", "class", "calc",
    "suffices", "obtain", "namespace", "section", "variable", "universe", "Type", "Prop", "Sort", "deriving",
}
_RELATIONS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "=": "=", "==": "=", "!=": "≠"}
_REAL_FUNCTIONS = {
    "log": "Real.log", "exp": "Real.exp", "sqrt": "Real.sqrt", "sin": "Real.sin", "cos": "Real.cos",
    "tan": "Real.tan", "atan": "Real.arctan", "sinh": "Real.sinh", "cosh": "Real.cosh", "tanh": "Real.tanh",
    "gamma": "Real.Gamma",
}
_ASYMPTOTIC = {"O": "=O[atTop]", "o": "=o[atTop]", "Theta": "=Θ[atTop]", "~": "~[atTop]", "Omega": "=O[atTop]"}


def lean_name(name: str) -> str:
    """`name` as a Lean identifier (a keyword, or a name not starting with a letter, goes in «»)."""
    return f"«{name}»" if name in LEAN_KEYWORDS or not name[:1].isalpha() else name


def _lean_types(claim: Claim) -> dict[str, str]:
    """ℕ for an integer variable bounded below by 0 or more (and for the limit variable if integer), ℤ for other
    integers, ℝ for the rest."""
    out = {}
    for name in claim.variables:
        dom = claim.domains[name]
        if not dom.integer:
            out[name] = "ℝ"
            continue
        low = dom.lower
        natural = name == claim.limit or (low is not None and low.op == "num" and low.value >= 0)  # type: ignore[operator]
        out[name] = "ℕ" if natural else "ℤ"
    return out


def _printer_class():
    from sympy.printing.precedence import precedence
    from sympy.printing.str import StrPrinter

    class LeanPrinter(StrPrinter):
        """sympy expressions as Lean 4 terms of type ℝ (Mathlib names, casts of ℕ and ℤ variables)."""

        printmethod = "_lean"
        _default_settings = {**StrPrinter._default_settings, "order": "none"}

        def __init__(self, types: dict[str, str]) -> None:
            super().__init__()
            self.types = types

        def _arg(self, expr: Any) -> str:
            text = self._print(expr)
            return text if expr.is_Atom and not text.startswith("-") or text.startswith("(") and balanced_parens(text[1:-1]) else f"({text})"

        def _print_Symbol(self, expr: Any) -> str:
            name = lean_name(expr.name)
            return name if self.types.get(expr.name, "ℝ") == "ℝ" else f"({name} : ℝ)"

        def natural(self, expr: Any) -> str | None:
            """`expr` as a ℕ-valued term when it is built from ℕ variables, naturals, + and *; else None."""
            if expr.is_Symbol:
                return lean_name(expr.name) if self.types.get(expr.name) == "ℕ" else None
            if expr.is_Integer and expr >= 0:
                return str(expr)
            if expr.is_Add or expr.is_Mul:
                parts = [self.natural(a) for a in expr.args]
                if None in parts:
                    return None
                sep = " + " if expr.is_Add else " * "
                return sep.join(p if " " not in p else f"({p})" for p in parts)  # type: ignore[misc]
            return None

        def _natural_arg(self, expr: Any) -> str:
            nat = self.natural(expr)
            if nat is None:
                return f"⌊{self._print(expr)}⌋₊"
            return nat if " " not in nat else f"({nat})"

        def _terms(self, expr: Any) -> list:
            return [t for a in expr.args for t in (self._terms(a) if a.is_Add else [a])]

        def _print_Add(self, expr: Any, order: Any = None) -> str:
            out = ""
            for i, term in enumerate(self._terms(expr)):
                negative, magnitude = _split_sign(term)
                text = self.parenthesize(magnitude, precedence(expr)) if magnitude.is_Add else self._print(magnitude)
                out += ("-" if negative else "") + text if i == 0 else (" - " if negative else " + ") + text
            return out

        def _factors(self, expr: Any) -> list:
            return [f for a in expr.args for f in (self._factors(a) if a.is_Mul else [a])]

        def _print_Mul(self, expr: Any) -> str:
            import sympy as sp

            negative, magnitude = _split_sign(expr)
            if negative:
                return "-" + self.parenthesize(magnitude, precedence(expr))
            top, bottom = [], []
            for f in self._factors(expr):
                if f.is_Pow and f.exp.is_Rational and f.exp.is_negative:
                    bottom.append(f.base if f.exp == -1 else sp.Pow(f.base, -f.exp, evaluate=False))
                elif f != 1:
                    top.append(f)
            prec = precedence(sp.Mul(2, sp.Symbol("x"), evaluate=False))
            numerator = " * ".join(self.parenthesize(f, prec) for f in top) or "1"
            if not bottom:
                return numerator
            denominator = " * ".join(self.parenthesize(f, prec) for f in bottom)
            if len(bottom) > 1 or bottom[0].is_Mul:
                denominator = f"({denominator})"
            return f"{numerator} / {denominator}"

        def _print_Integer(self, expr: Any) -> str:
            return str(expr.p)

        def _print_Rational(self, expr: Any) -> str:
            return f"({expr.p} / {expr.q} : ℝ)"

        def _print_Half(self, expr: Any) -> str:
            return "(1 / 2 : ℝ)"

        def _print_Pi(self, expr: Any) -> str:
            return "Real.pi"

        def _print_Exp1(self, expr: Any) -> str:
            return "Real.exp 1"

        def _print_Pow(self, expr: Any, rational: bool = False) -> str:
            import sympy as sp

            base, exp = expr.args
            if base == sp.E:
                return f"Real.exp {self._arg(exp)}"
            if exp == sp.Rational(1, 2):
                return f"Real.sqrt {self._arg(base)}"
            if exp == sp.Rational(-1, 2):
                return f"(Real.sqrt {self._arg(base)})⁻¹"
            shown_base = self.parenthesize(base, precedence(expr) + 1) if not base.is_Atom else self._arg(base)
            if exp.is_Integer and exp < 0:
                return f"1 / {shown_base}" if exp == -1 else f"1 / {shown_base} ^ {-exp.p}"
            nat = self.natural(exp)
            if nat is not None:
                return f"{shown_base} ^ {nat if ' ' not in nat else f'({nat})'}"
            return f"{shown_base} ^ ({self._print(exp)} : ℝ)"

        def _print_Relational(self, expr: Any) -> str:
            op = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}[expr.rel_op]
            return f"{self._print(expr.lhs)} {op} {self._print(expr.rhs)}"

        def _apply(self, fn: str, args: list) -> str:
            return fn + " " + " ".join(self._arg(a) for a in args)

        def _print_Function(self, expr: Any) -> str:
            name = type(expr).__name__
            if name in _REAL_FUNCTIONS:
                if name == "log" and len(expr.args) == 2:
                    return self._apply("Real.logb", [expr.args[1], expr.args[0]])
                return self._apply(_REAL_FUNCTIONS[name], list(expr.args))
            return super()._print_Function(expr)

        _print_log = _print_exp = _print_sin = _print_cos = _print_tan = _print_atan = _print_Function
        _print_sinh = _print_cosh = _print_tanh = _print_gamma = _print_Function

        def _print_Abs(self, expr: Any) -> str:
            return f"|{self._print(expr.args[0])}|"

        def _minmax(self, fn: str, args: list) -> str:
            text = self._arg(args[-1])
            for i, a in enumerate(reversed(args[:-1])):
                text = f"{fn} {self._arg(a)} {text}"
                if i < len(args) - 2:
                    text = f"({text})"
            return text

        def _print_Min(self, expr: Any) -> str:
            return self._minmax("min", list(expr.args))

        def _print_Max(self, expr: Any) -> str:
            return self._minmax("max", list(expr.args))

        def _print_floor(self, expr: Any) -> str:
            return f"(⌊{self._print(expr.args[0])}⌋ : ℝ)"

        def _print_ceiling(self, expr: Any) -> str:
            return f"(⌈{self._print(expr.args[0])}⌉ : ℝ)"

        def _print_harmonic(self, expr: Any) -> str:
            return f"(harmonic {self._natural_arg(expr.args[0])} : ℝ)"

        def _print_factorial(self, expr: Any) -> str:
            return f"(Nat.factorial {self._natural_arg(expr.args[0])} : ℝ)"

        def _print_binomial(self, expr: Any) -> str:
            n, k = expr.args
            return f"(Nat.choose {self._natural_arg(n)} {self._natural_arg(k)} : ℝ)"

    return LeanPrinter


def _split_sign(term: Any) -> tuple[bool, Any]:
    """(True, -term) for a negative number or a product whose first factor is -1, else (False, term)."""
    import sympy as sp

    if term.is_Number and term.is_negative:
        return True, -term
    if term.is_Mul and term.args and term.args[0].is_Number and term.args[0].is_negative:
        rest = ([] if term.args[0] == -1 else [-term.args[0]]) + list(term.args[1:])
        return True, rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
    return False, term


def _sympy(e: Expr) -> Any:
    import sympy as sp

    from workbench.checks.numeric import to_sympy

    syms: dict[str, Any] = {}
    for name in e.variables():
        syms[name] = sp.Symbol(name)
    with sp.evaluate(False):
        return to_sympy(e, syms)


def _real(printer: Any, e: Expr) -> str:
    """A side of a relation, with a type ascription when nothing in it says ℝ (so `2 ^ n ≤ 3 ^ n` is not read in ℕ)."""
    text = printer.doprint(_sympy(e))
    return text if "ℝ" in text or "Real." in text else f"({text} : ℝ)"


def _hypotheses(claim: Claim, printer: Any, types: dict[str, str]) -> list[str]:
    out: list[str] = []
    for name in claim.variables:
        if name == claim.limit:
            continue
        dom: Domain = claim.domains[name]
        facts: list[str] = []
        x = lean_name(name)
        for bound, strict, low in ((dom.lower, dom.lower_strict, True), (dom.upper, dom.upper_strict, False)):
            if bound is None:
                continue
            natural_zero = types[name] == "ℕ" and low and not strict and bound.op == "num" and bound.value == 0
            if natural_zero:
                continue
            if types[name] != "ℝ" and bound.op == "num" and bound.value.denominator == 1:  # type: ignore[union-attr]
                b = str(bound.value.numerator)  # type: ignore[union-attr]
                facts.append(f"{b} {'<' if strict else '≤'} {x}" if low else f"{x} {'<' if strict else '≤'} {b}")
                continue
            v, b = printer.doprint(_sympy(Expr("var", value=name))), printer.doprint(_sympy(bound))
            facts.append(f"{b} {'<' if strict else '≤'} {v}" if low else f"{v} {'<' if strict else '≤'} {b}")
        for rel in dom.constraints:
            facts.append(_relation(printer, rel))
        for i, fact in enumerate(facts):
            out.append(f"(h_{name}{'' if i == 0 else i} : {fact})")
    return out


def _relation(printer: Any, rel: Relation) -> str:
    parts = []
    for lhs, op, rhs in rel.pairs():
        parts.append(f"{_real(printer, lhs)} {_RELATIONS[op]} {printer.doprint(_sympy(rhs))}")
    return " ∧ ".join(parts)


def lean_statement(claim: Claim, name: str, doc: str = "") -> str:
    """A Lean 4 / Mathlib theorem statement (proof `sorry`) drafted from `claim`, named `name`."""
    types = _lean_types(claim)
    printer = _printer_class()(types)
    binders = [f"({lean_name(v)} : {types[v]})" for v in claim.variables if v != claim.limit]
    binders += _hypotheses(claim, printer, types)
    body = claim.body
    if isinstance(body, Asymptotic):
        x = lean_name(str(claim.limit))
        lam = f"fun {x} : {types[str(claim.limit)]} =>"
        f, g = printer.doprint(_sympy(body.lhs)), printer.doprint(_sympy(body.rhs))
        if body.rel == "Omega":
            f, g = g, f
        goal = f"({lam} {f}) {_ASYMPTOTIC[body.rel]} ({lam} {g})"
    else:
        goal = _relation(printer, body)
    lines = ["import Mathlib", "", "open Filter Asymptotics", ""]
    if doc:
        import textwrap

        lines.append(textwrap.fill(f"/-- {doc.replace('-/', '- /')} -/", 100, subsequent_indent="  ", break_on_hyphens=False))
    header = f"theorem {lean_name(name)}" + "".join(f" {b}" for b in binders) + " :"
    lines += [header, f"    {goal} := by", "  sorry", ""]
    return "\n".join(lines)


__all__ = ["LEAN_KEYWORDS", "lean_name", "lean_statement"]
