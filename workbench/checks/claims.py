"""Claims and variable conditions, read with `ast` and a whitelist: claim text is never evaluated as Python.

A claim is an equation, inequality or asymptotic relation in sympy's syntax:

    eps/(1-c) >= eps            n**2 <= 2**n            0 < x**2 + 1
    log(n)**2 = o(n)            harmonic(n) ~ log(n)    T = O(n*log(n))

and each variable may have a condition: `"0 < eps < 1"`, `"integer, n >= 1"`, `"positive"`.
The text is split at its top-level relation signs, each side is parsed by `ast.parse` and then
rebuilt node by node into `Expr`, refusing anything outside the whitelist (attributes, subscripts,
strings, lambdas, calls of other names, names starting with `_`) with an error naming the part.
Nothing here imports sympy: `Expr` is turned into sympy objects in the child process that checks it.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterator

from workbench.errors import ClaimError

MAX_CLAIM_CHARS = 500
MAX_CONDITION_CHARS = 200
MAX_VARS = 12
MAX_NODES = 300
MAX_DEPTH = 40
MAX_DIGITS = 100
MAX_CONST_EXPONENT = 10_000
"""A power of two constants whose exponent may exceed this is refused (`9**9**9**9` would never finish)."""

FUNCTIONS: dict[str, tuple[str, int, int]] = {
    "log": ("log", 1, 2), "ln": ("log", 1, 1), "exp": ("exp", 1, 1), "sqrt": ("sqrt", 1, 1),
    "sin": ("sin", 1, 1), "cos": ("cos", 1, 1), "tan": ("tan", 1, 1), "atan": ("atan", 1, 1),
    "sinh": ("sinh", 1, 1), "cosh": ("cosh", 1, 1), "tanh": ("tanh", 1, 1),
    "harmonic": ("harmonic", 1, 1), "factorial": ("factorial", 1, 1), "binomial": ("binomial", 2, 2),
    "gamma": ("gamma", 1, 1), "Abs": ("Abs", 1, 1), "abs": ("Abs", 1, 1),
    "Min": ("Min", 2, 8), "min": ("Min", 2, 8), "Max": ("Max", 2, 8), "max": ("Max", 2, 8),
    "floor": ("floor", 1, 1), "ceiling": ("ceiling", 1, 1), "ceil": ("ceiling", 1, 1),
}
"""Callable names: alias -> (canonical sympy name, fewest and most arguments)."""

CONSTANTS = ("pi", "E")
ASYMPTOTIC = ("O", "o", "Theta", "Omega")
RELATIONS = ("<=", ">=", "==", "!=", "<", ">", "=", "~")
TYPE_WORDS = ("integer", "int", "real", "positive", "nonnegative", "negative", "nonpositive")
_KEYWORD_NAMES = {"lambda": "lambda_"}  # Python keywords a claim may use as variable names
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")


@dataclass(frozen=True)
class Expr:
    """A whitelisted expression: `op` is num, var, const, add, sub, mul, div, pow, neg or call."""

    op: str
    args: tuple["Expr", ...] = ()
    value: Fraction | str | None = None

    def variables(self) -> set[str]:
        """The variable names this expression uses."""
        if self.op == "var":
            return {str(self.value)}
        out: set[str] = set()
        for a in self.args:
            out |= a.variables()
        return out

    def __str__(self) -> str:
        return _text(self, 0)


_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}


def _text(e: Expr, outer: int) -> str:
    if e.op == "num":
        v: Fraction = e.value  # type: ignore[assignment]
        s = str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
        plain = v.denominator == 1 and v >= 0
        return s if plain or outer == 0 else f"({s})"
    if e.op in ("var", "const"):
        return str(e.value)
    if e.op == "call":
        return f"{e.value}({', '.join(_text(a, 0) for a in e.args)})"
    prec = _PREC[e.op]
    if e.op == "neg":
        s = "-" + _text(e.args[0], prec)
    else:
        sign = {"add": " + ", "sub": " - ", "mul": "*", "div": "/", "pow": "**"}[e.op]
        left, right = (prec + 1, prec) if e.op == "pow" else (prec, prec + 1)
        s = _text(e.args[0], left) + sign + _text(e.args[1], right)
    return f"({s})" if prec < outer else s


@dataclass(frozen=True)
class Relation:
    """A chain `terms[0] ops[0] terms[1] ops[1] …` of comparisons (`=` and `==` both mean equality)."""

    terms: tuple[Expr, ...]
    ops: tuple[str, ...]

    def pairs(self) -> Iterator[tuple[Expr, str, Expr]]:
        """Each adjacent comparison `(lhs, op, rhs)`, with `==` written `=`."""
        for i, op in enumerate(self.ops):
            yield self.terms[i], "=" if op == "==" else op, self.terms[i + 1]

    def variables(self) -> set[str]:
        """The variable names of every term."""
        out: set[str] = set()
        for t in self.terms:
            out |= t.variables()
        return out

    def __str__(self) -> str:
        parts = [str(self.terms[0])]
        for op, t in zip(self.ops, self.terms[1:]):
            parts += [op, str(t)]
        return " ".join(parts)


@dataclass(frozen=True)
class Asymptotic:
    """`lhs = O(rhs)`, `o(rhs)`, `Theta(rhs)`, `Omega(rhs)` or `lhs ~ rhs`, as the limit variable goes to infinity."""

    lhs: Expr
    rel: str
    rhs: Expr

    def variables(self) -> set[str]:
        """The variable names of both sides."""
        return self.lhs.variables() | self.rhs.variables()

    def __str__(self) -> str:
        return f"{self.lhs} ~ {self.rhs}" if self.rel == "~" else f"{self.lhs} = {self.rel}({self.rhs})"


@dataclass(frozen=True)
class Domain:
    """Where a variable ranges: integer or real, optional constant bounds, and relations with other variables."""

    name: str
    integer: bool = False
    lower: Expr | None = None
    lower_strict: bool = False
    upper: Expr | None = None
    upper_strict: bool = False
    constraints: tuple[Relation, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Claim:
    """A parsed claim: its relation, the domain of every variable it uses and, when asymptotic, the limit variable."""

    text: str
    body: Relation | Asymptotic
    domains: dict[str, Domain] = field(default_factory=dict)
    limit: str | None = None

    @property
    def asymptotic(self) -> bool:
        """True for O, o, Theta, Omega and ~ claims."""
        return isinstance(self.body, Asymptotic)

    @property
    def variables(self) -> list[str]:
        """Variable names in order of first appearance in the claim text."""
        names = self.body.variables()
        order = [m.group(0) for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*", self.text)]
        return [n for n in dict.fromkeys(order) if n in names]


# -- reading text ---------------------------------------------------------------------------------


def _check_text(text: object, what: str, limit: int) -> str:
    if not isinstance(text, str):
        raise ClaimError(f"{what} must be text")
    if not text.strip():
        raise ClaimError(f"{what} is empty")
    if len(text) > limit:
        raise ClaimError(f"{what} is {len(text)} characters; the limit is {limit}")
    for ch in text:
        if not (" " <= ch <= "~") and ch not in "\t":
            raise ClaimError(f"{what} contains {ch!r}: only ASCII letters, digits, operators and parentheses are allowed")
    return text.strip()


def split_relations(text: str) -> tuple[list[str], list[str]]:
    """The sides and relation signs of `text` at parenthesis depth 0: `a <= b < c` → ([a, b, c], [<=, <])."""
    sides, ops, depth, start, i = [], [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0:
            two = text[i:i + 2]
            op = two if two in RELATIONS else (ch if ch in RELATIONS else None)
            if op is not None:
                sides.append(text[start:i])
                ops.append(op)
                i += len(op)
                start = i
                continue
        i += 1
    sides.append(text[start:])
    return sides, ops


class _Reader:
    """Rebuilds one side's `ast` tree as an `Expr`, counting nodes and depth."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.nodes = 0

    def part(self, node: ast.AST) -> str:
        seg = ast.get_source_segment(self.source, node) or type(node).__name__
        for keyword, name in _KEYWORD_NAMES.items():
            seg = re.sub(rf"\b{name}\b", keyword, seg)
        return seg if len(seg) <= 60 else seg[:57] + "..."

    def refuse(self, node: ast.AST, why: str) -> ClaimError:
        return ClaimError(f"refused: {why}: `{self.part(node)}`")

    def read(self, node: ast.AST, depth: int = 0) -> Expr:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ClaimError(f"refused: the expression has more than {MAX_NODES} parts")
        if depth > MAX_DEPTH:
            raise ClaimError(f"refused: the expression is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Expression):
            return self.read(node.body, depth + 1)
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return Expr("neg", (self.read(node.operand, depth + 1),))
            if isinstance(node.op, ast.UAdd):
                return self.read(node.operand, depth + 1)
            if isinstance(node.op, ast.Invert):
                raise self.refuse(node, "`~` relates two sides (f ~ g), it is not an operator")
            raise self.refuse(node, "the operator is not allowed")
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.Attribute):
            raise self.refuse(node, "attribute access is not allowed")
        if isinstance(node, ast.Subscript):
            raise self.refuse(node, "subscripts are not allowed")
        if isinstance(node, ast.Compare):
            raise self.refuse(node, "a comparison inside parentheses is not allowed")
        if isinstance(node, ast.Lambda):
            raise self.refuse(node, "lambdas are not allowed")
        what = {ast.Tuple: "tuples", ast.List: "lists", ast.Dict: "dicts", ast.Set: "sets", ast.BoolOp: "and/or",
                ast.IfExp: "conditional expressions", ast.JoinedStr: "strings", ast.NamedExpr: "assignments",
                ast.Starred: "starred expressions"}.get(type(node), type(node).__name__)
        raise self.refuse(node, f"{what} are not allowed" if what.endswith("s") else f"{what} is not allowed")

    def constant(self, node: ast.Constant) -> Expr:
        v = node.value
        if isinstance(v, bool) or v is None or v is Ellipsis:
            raise self.refuse(node, "only numbers are allowed as constants")
        if isinstance(v, (str, bytes)):
            raise self.refuse(node, "strings are not allowed")
        if isinstance(v, complex):
            raise self.refuse(node, "imaginary numbers are not allowed")
        text = (ast.get_source_segment(self.source, node) or "").replace("_", "")
        if len(text) > MAX_DIGITS:
            raise self.refuse(node, f"numbers longer than {MAX_DIGITS} characters are not allowed")
        if isinstance(v, int):
            return Expr("num", value=Fraction(v))
        mantissa, _, exponent = text.lower().partition("e")
        if exponent and abs(int(exponent)) > 300:
            raise self.refuse(node, "the number is too large or too small")
        try:
            return Expr("num", value=Fraction(text))
        except (ValueError, ZeroDivisionError):
            raise self.refuse(node, "cannot read the number") from None

    def name(self, node: ast.Name) -> Expr:
        name = node.id
        if name.startswith("_") or "__" in name:
            raise self.refuse(node, "names starting with '_' are not allowed")
        for keyword, internal in _KEYWORD_NAMES.items():
            if name == internal:
                return Expr("var", value=keyword)
        if name.endswith("_"):
            raise self.refuse(node, "names ending in '_' are not allowed")
        if name in FUNCTIONS or name in ASYMPTOTIC:
            raise self.refuse(node, f"`{name}` is a function: call it, as in {name}(x)")
        if name in CONSTANTS:
            return Expr("const", value=name)
        if not _NAME_RE.match(name):
            raise self.refuse(node, "a variable name must be at most 32 letters, digits or '_'")
        return Expr("var", value=name)

    def binop(self, node: ast.BinOp, depth: int) -> Expr:
        ops = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
        op = ops.get(type(node.op))
        if op is None:
            hint = {ast.BitXor: "`^` is not a power here: write x**y", ast.FloorDiv: "`//` is not allowed: write floor(a/b)",
                    ast.Mod: "`%` is not allowed"}.get(type(node.op), "the operator is not allowed")
            raise self.refuse(node, hint)
        left, right = self.read(node.left, depth + 1), self.read(node.right, depth + 1)
        if op == "pow" and not left.variables() and not right.variables() and _abs_bound(right) > MAX_CONST_EXPONENT:
            if _abs_bound(left) > 1 or left.op != "num":
                raise self.refuse(node, f"a power of constants with an exponent above {MAX_CONST_EXPONENT} is too large to evaluate")
        return Expr(op, (left, right))

    def call(self, node: ast.Call, depth: int) -> Expr:
        func = node.func
        if not isinstance(func, ast.Name):
            if isinstance(func, ast.Attribute):
                raise self.refuse(func, "attribute access is not allowed")
            raise self.refuse(node, "only the listed functions may be called")
        name = func.id
        if name in ASYMPTOTIC:
            raise self.refuse(node, f"{name}(...) must be the whole right side of `=`, as in f = {name}(g)")
        if name not in FUNCTIONS:
            allowed = ", ".join(sorted({c for c, _, _ in FUNCTIONS.values()}))
            raise self.refuse(node, f"`{name}` is not an allowed function (allowed: {allowed})")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.refuse(node, "keyword and starred arguments are not allowed")
        canonical, least, most = FUNCTIONS[name]
        if not least <= len(node.args) <= most:
            want = str(least) if least == most else f"{least} to {most}"
            raise self.refuse(node, f"{name} takes {want} argument{'s' if most > 1 else ''}")
        return Expr("call", tuple(self.read(a, depth + 1) for a in node.args), canonical)


def _abs_bound(e: Expr) -> float:
    """An upper bound of |e| for a constant expression, `inf` when unsure (used only to refuse huge powers)."""
    try:
        if e.op == "num":
            return abs(float(e.value))  # type: ignore[arg-type]
        if e.op == "const":
            return 4.0
        if e.op == "neg":
            return _abs_bound(e.args[0])
        a, b = (_abs_bound(x) for x in e.args[:2]) if len(e.args) >= 2 else (_abs_bound(e.args[0]), 0.0)
        if e.op in ("add", "sub"):
            return a + b
        if e.op == "mul":
            return a * b
        if e.op == "div" and e.args[1].op == "num" and e.args[1].value:
            return a / abs(float(e.args[1].value))  # type: ignore[arg-type]
        if e.op == "pow":
            if b > MAX_CONST_EXPONENT:
                return math.inf
            if a > 1:
                return a ** b
            exponent = e.args[1]
            return 1.0 if exponent.op == "num" and exponent.value >= 0 else math.inf  # type: ignore[operator]
    except (OverflowError, ZeroDivisionError, ValueError):
        return math.inf
    return math.inf


def parse_expr_text(text: str, what: str = "expression") -> Expr:
    """One side of a relation as an `Expr`, refusing anything outside the whitelist."""
    source = text.strip()
    if not source:
        raise ClaimError(f"{what}: a side of a relation is empty")
    for keyword, internal in _KEYWORD_NAMES.items():
        source = re.sub(rf"\b{keyword}\b", internal, source)
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        detail = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
        raise ClaimError(f"cannot read `{text.strip()}` in the {what}: {detail}") from None
    return _Reader(source).read(tree)


def _relation(text: str, what: str, allowed: tuple[str, ...]) -> Relation:
    sides, ops = split_relations(text)
    if not ops:
        raise ClaimError(f"the {what} `{text}` has no relation: use one of {', '.join(allowed)}")
    for op in ops:
        if op not in allowed:
            raise ClaimError(f"the {what} `{text}` uses `{op}`, which is not allowed here (use {', '.join(allowed)})")
    return Relation(tuple(parse_expr_text(s, what) for s in sides), tuple(ops))


def _asymptotic(text: str, sides: list[str], ops: list[str]) -> Asymptotic | None:
    """The asymptotic relation of `text`, or None when it is a plain (in)equality."""
    if ops == ["~"]:
        return Asymptotic(parse_expr_text(sides[0], "claim"), "~", parse_expr_text(sides[1], "claim"))
    if "~" in ops:
        raise ClaimError(f"`~` must be the only relation in a claim: `{text}`")
    rhs = sides[-1].strip()
    m = re.match(r"^(O|o|Theta|Omega)\s*\(", rhs)
    if m is None:
        return None
    if ops not in (["="], ["=="]) or not rhs.endswith(")"):
        raise ClaimError(f"{m.group(1)}(...) must be the whole right side of `=`, as in f = {m.group(1)}(g): `{text}`")
    inner = rhs[m.end():-1]
    depth = 0
    for ch in inner:
        depth += 1 if ch == "(" else -1 if ch == ")" else 0
        if depth < 0:
            raise ClaimError(f"{m.group(1)}(...) must be the whole right side of `=`, as in f = {m.group(1)}(g): `{text}`")
    return Asymptotic(parse_expr_text(sides[0], "claim"), m.group(1), parse_expr_text(inner, "claim"))


def parse_condition(name: str, text: str) -> Domain:
    """The domain of variable `name` described by `text`: comma-separated type words and comparisons."""
    text = _check_text(text, f"the condition of {name}", MAX_CONDITION_CHARS)
    integer, lower, lower_strict, upper, upper_strict = False, None, False, None, False
    constraints: list[Relation] = []

    def bound(value: Expr, strict: bool, is_lower: bool) -> None:
        nonlocal lower, lower_strict, upper, upper_strict
        current, current_strict = (lower, lower_strict) if is_lower else (upper, upper_strict)
        if current is not None and current.op == value.op == "num":
            if current.value == value.value:
                strict = strict or current_strict
            elif (value.value < current.value) == is_lower:  # type: ignore[operator]
                return
        elif current is not None:
            constraints.append(Relation((Expr("var", value=name), value), ((">" if strict else ">=") if is_lower else ("<" if strict else "<="),)))
            return
        if is_lower:
            lower, lower_strict = value, strict
        else:
            upper, upper_strict = value, strict

    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        word = part.lower()
        if word in ("integer", "int"):
            integer = True
        elif word == "real":
            pass
        elif word in ("positive", "nonnegative", "negative", "nonpositive"):
            zero = Expr("num", value=Fraction(0))
            bound(zero, word in ("positive", "negative"), word in ("positive", "nonnegative"))
        elif re.fullmatch(r"[A-Za-z_ ]+", part):
            raise ClaimError(f"the condition of {name}: unknown word `{part}` (use {', '.join(TYPE_WORDS)} or comparisons such as {name} >= 1)")
        else:
            rel = _relation(part, f"condition of {name}", ("<=", ">=", "<", ">", "!="))
            for lhs, op, rhs in rel.pairs():
                flip = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
                if op != "!=" and lhs == Expr("var", value=name) and not rhs.variables():
                    bound(rhs, op in "<>", op.startswith(">"))
                elif op != "!=" and rhs == Expr("var", value=name) and not lhs.variables():
                    bound(lhs, op in "<>", flip[op].startswith(">"))
                else:
                    constraints.append(Relation((lhs, rhs), (op,)))
    return Domain(name, integer, lower, lower_strict, upper, upper_strict, tuple(constraints), text)


def parse_claim(text: str, conditions: dict[str, str] | None = None, limit: str | None = None) -> Claim:
    """Parse `text` and the variables' `conditions` (name -> condition) into a `Claim`; a ClaimError names
    the part that cannot be read or is not allowed. Variables without a condition are real."""
    text = _check_text(text, "the claim", MAX_CLAIM_CHARS)
    conditions = dict(conditions or {})
    if len(conditions) > MAX_VARS:
        raise ClaimError(f"at most {MAX_VARS} variables may have conditions, not {len(conditions)}")
    sides, ops = split_relations(text)
    if not ops:
        parse_expr_text(text, "claim")  # a refused part is named before the missing relation
        raise ClaimError(f"the claim `{text}` has no relation: use =, ==, <, <=, >, >=, != or ~ (or f = O(g), o(g), Theta(g), Omega(g))")
    body: Relation | Asymptotic | None = _asymptotic(text, sides, ops)
    if body is None:
        body = Relation(tuple(parse_expr_text(s, "claim") for s in sides), tuple(ops))
    used = body.variables()
    if len(used) > MAX_VARS:
        raise ClaimError(f"the claim uses {len(used)} variables; the limit is {MAX_VARS}")
    domains: dict[str, Domain] = {}
    for name, cond in conditions.items():
        if name not in used:
            raise ClaimError(f"a condition is given for `{name}`, which the claim does not use")
        domains[name] = parse_condition(name, cond)
        for rel in domains[name].constraints:
            stray = rel.variables() - used
            if stray:
                raise ClaimError(f"the condition of {name} uses `{sorted(stray)[0]}`, which the claim does not use")
    for name in used:
        domains.setdefault(name, Domain(name))
    claim = Claim(text, body, domains, None)
    if isinstance(body, Asymptotic):
        return Claim(text, body, domains, limit_variable(claim, limit))
    if limit is not None:
        raise ClaimError("a limit variable is only used by asymptotic claims (O, o, Theta, Omega, ~)")
    return claim


def limit_variable(claim: Claim, limit: str | None) -> str:
    """The variable an asymptotic claim's limit is taken in: `limit`, else the one integer variable, else the only one."""
    names = claim.variables
    if limit is not None:
        if limit not in names:
            raise ClaimError(f"the limit variable `{limit}` does not occur in the claim")
        return limit
    integers = [n for n in names if claim.domains[n].integer]
    if len(integers) == 1:
        return integers[0]
    if len(names) == 1:
        return names[0]
    if not names:
        raise ClaimError("an asymptotic claim needs a variable that goes to infinity")
    raise ClaimError(f"name the limit variable (one of {', '.join(names)}): it goes to infinity")


def parse_var_option(text: str) -> tuple[str, str]:
    """`"NAME: CONDITION"` (as given to `--var`) as (name, condition)."""
    name, sep, cond = text.partition(":")
    name = name.strip()
    if not sep or not _NAME_RE.match(name) or name.startswith("_"):
        raise ClaimError(f"--var takes \"NAME: CONDITION\", e.g. \"n: integer, n >= 1\", not `{text}`")
    return name, cond.strip()


__all__ = [
    "ASYMPTOTIC", "Asymptotic", "CONSTANTS", "Claim", "Domain", "Expr", "FUNCTIONS", "MAX_CLAIM_CHARS", "Relation",
    "limit_variable", "parse_claim", "parse_condition", "parse_expr_text", "parse_var_option", "split_relations",
]
