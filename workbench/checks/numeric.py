"""The checking engine, run inside the child process: symbolic first, limits for asymptotics, then a seeded search.

`check(claim, samples=…, seed=…, deadline=…)` returns a plain dict (result, method, witness, detail,
samples, undefined). Relations are first decided by sympy under the variables' conditions (each bounded
variable rewritten through a positive parameter, one-variable claims also by `solveset`); what sympy cannot
decide is searched for counterexamples at boundary and seeded random points, evaluated with mpmath at 50
digits, and every apparent counterexample is re-checked exactly with rationals before it is reported.
Asymptotic relations are decided only by limits (and `Order`) as the limit variable goes to infinity:
never by sampling, which no machine can run far enough.
"""

from __future__ import annotations

import itertools
import random
import signal
import time
from contextlib import contextmanager
from fractions import Fraction
from typing import Any, Iterator

from workbench.checks.claims import Asymptotic, Claim, Domain, Expr, Relation

DEFAULT_SAMPLES = 1000
DIGITS = 50
MAX_EXACT_CHECKS = 40
SYMBOLIC_S = 10.0
"""Longest the symbolic phase of a relation may take before the search starts."""
MAX_BITS = 10 ** 12
"""A sample whose values would exceed 2**MAX_BITS in size is skipped as too large to evaluate."""

SYMPY_FUNCTIONS = {
    "log", "exp", "sqrt", "sin", "cos", "tan", "atan", "sinh", "cosh", "tanh", "harmonic", "factorial", "binomial",
    "gamma", "Abs", "Min", "Max", "floor", "ceiling",
}


class OutOfTime(BaseException):
    """A symbolic step ran past its budget (a BaseException, so sympy's `except Exception` cannot swallow it)."""


class _Undefined(Exception):
    """The claim has no real value at a sample point."""


class _TooLarge(_Undefined):
    """A value at a sample point is too large to evaluate in reasonable time."""


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Raise OutOfTime inside the block after `seconds` (SIGALRM; the child's main thread only)."""
    if seconds <= 0:
        raise OutOfTime()

    def on_alarm(signum, frame):  # noqa: ARG001
        raise OutOfTime()

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# -- sympy objects ------------------------------------------------------------------------------


def symbols_for(claim: Claim) -> dict[str, Any]:
    """A sympy Symbol per variable, with the assumptions its condition implies (integer, positive, nonnegative)."""
    import sympy as sp

    out = {}
    for name in claim.variables:
        dom = claim.domains[name]
        facts: dict[str, bool] = {"integer": True} if dom.integer else {"real": True}
        if name == claim.limit:
            facts["positive"] = True
        elif dom.lower is not None and not dom.lower.variables():
            low = to_sympy(dom.lower, {})
            if low.is_positive or (low.is_zero and dom.lower_strict):
                facts["positive"] = True
            elif low.is_nonnegative:
                facts["nonnegative"] = True
        elif dom.upper is not None and not dom.upper.variables():
            high = to_sympy(dom.upper, {})
            if high.is_negative or (high.is_zero and dom.upper_strict):
                facts["negative"] = True
        out[name] = sp.Symbol(name, **facts)
    return out


def to_sympy(e: Expr, syms: dict[str, Any]) -> Any:
    """The sympy object for a whitelisted expression (functions are looked up only in SYMPY_FUNCTIONS)."""
    import sympy as sp

    if e.op == "num":
        v: Fraction = e.value  # type: ignore[assignment]
        return sp.Rational(v.numerator, v.denominator)
    if e.op == "var":
        return syms[str(e.value)]
    if e.op == "const":
        return sp.pi if e.value == "pi" else sp.E
    args = [to_sympy(a, syms) for a in e.args]
    if e.op == "call":
        name = str(e.value)
        if name not in SYMPY_FUNCTIONS:
            raise ValueError(f"function {name} is not allowed")
        return getattr(sp, name)(*args)
    if e.op == "neg":
        return -args[0]
    a, b = args
    return {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b, "div": lambda: a / b, "pow": lambda: a ** b}[e.op]()


# -- deciding exactly ---------------------------------------------------------------------------


def _truth(e: Any, op: str) -> bool | None:
    """Whether `e op 0` holds for every value of its symbols (True), for none (False), or unknown (None)."""
    holds, fails = _FACTS[op]
    if getattr(e, holds):
        return True
    if getattr(e, fails):
        return False
    return None


_FACTS = {
    "=": ("is_zero", "is_nonzero"), "!=": ("is_nonzero", "is_zero"),
    "<=": ("is_nonpositive", "is_positive"), "<": ("is_negative", "is_nonnegative"),
    ">=": ("is_nonnegative", "is_negative"), ">": ("is_positive", "is_nonpositive"),
}
"""For each relation `e op 0`: the sympy assumption that makes it hold everywhere, and the one that makes it fail."""


def _forms(e: Any) -> Iterator[Any]:
    """`e`, then cheaper-to-costlier rewritings of it that sympy's assumptions may see through."""
    import sympy as sp

    yield e
    for rewrite in (sp.cancel, sp.factor, sp.simplify):
        try:
            yield rewrite(e)
        except OutOfTime:
            raise
        except Exception:  # noqa: BLE001 - a rewriting sympy cannot do is no evidence either way
            continue


def decide(e: Any, op: str) -> bool | None:
    """`_truth` of `e op 0` on `e` and its rewritings."""
    for form in _forms(e):
        verdict = _truth(form, op)
        if verdict is not None:
            return verdict
    return None


def _undefined(v: Any) -> bool:
    import sympy as sp

    return bool(v.has(sp.nan, sp.zoo, sp.oo, -sp.oo)) or v.is_extended_real is False


def exact_violation(claim: Claim, pairs: list[tuple[Any, str, Any]], syms: dict[str, Any], point: dict[str, Fraction]) -> tuple[bool | None, str]:
    """Re-check a candidate witness exactly (rationals): (True, what fails) when the claim fails there and the point
    meets every condition, (False, "") when it holds, (None, "") when sympy cannot tell or the claim is undefined."""
    import sympy as sp

    values = {syms[n]: sp.Rational(v.numerator, v.denominator) for n, v in point.items()}
    plain = {n: sp.Symbol(n) for n in point}
    for name, dom in claim.domains.items():
        if name not in point:
            continue
        value = values[syms[name]]
        for bound, strict, low in ((dom.lower, dom.lower_strict, True), (dom.upper, dom.upper_strict, False)):
            if bound is not None:
                b = to_sympy(bound, plain).xreplace({plain[k]: values[syms[k]] for k in plain})
                ok = decide(value - b, (">" if strict else ">=") if low else ("<" if strict else "<="))
                if ok is not True:
                    return None, ""
        for rel in dom.constraints:
            for lhs, op, rhs in rel.pairs():
                d = (to_sympy(lhs, plain) - to_sympy(rhs, plain)).xreplace({plain[k]: values[syms[k]] for k in plain})
                if _undefined(d) or decide(d, op) is not True:
                    return None, ""
    verdict: bool | None = False
    for lhs, op, rhs in pairs:
        left, right = lhs.xreplace(values), rhs.xreplace(values)
        if _undefined(left) or _undefined(right):
            return None, ""
        holds = decide(left - right, op)
        if holds is False:
            return True, f"{_side(lhs, left)} {_negated(op)} {_side(rhs, right)}"
        if holds is None:
            verdict = None
    return verdict, ""


def _negated(op: str) -> str:
    return {"=": "≠", "!=": "=", "<=": ">", "<": ">=", ">=": "<", ">": "<="}[op]


def _side(e: Any, v: Any) -> str:
    """`e = value` for an expression, the value alone for a number."""
    return _value(v) if e.is_number else f"{e} = {_value(v)}"


def _value(v: Any) -> str:
    """An exact value as written when short, else 15 significant digits."""
    text = str(v)
    return text if v.is_Rational and len(text) <= 24 else str(v.evalf(15))


def _witness(point: dict[str, Fraction]) -> dict[str, str]:
    return {n: (str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}") for n, v in point.items()}


def _point_text(point: dict[str, Fraction]) -> str:
    return ", ".join(f"{n} = {v}" for n, v in _witness(point).items())


# -- the symbolic phase for relations -----------------------------------------------------------


def _cases(claim: Claim, syms: dict[str, Any]) -> list[dict[Any, Any]]:
    """Substitutions that cover every variable's domain (or a superset) by parameters sympy knows to be
    positive or nonnegative: x in (a, b) becomes a + (b-a)·t/(1+t), x >= a becomes a + t, an integer n >= a
    becomes ceil(a) + m. A closed interval [a, b] needs two cases: [a, b) and the point b."""
    import sympy as sp

    per_var: list[list[tuple[Any, Any]]] = []
    for name in claim.variables:
        dom, x = claim.domains[name], syms[name]
        low = to_sympy(dom.lower, {}) if dom.lower is not None and not dom.lower.variables() else None
        high = to_sympy(dom.upper, {}) if dom.upper is not None and not dom.upper.variables() else None
        if dom.integer:
            m = sp.Symbol(f"_{name}_m", integer=True, nonnegative=True)
            if low is not None:
                start = sp.floor(low) + 1 if dom.lower_strict else sp.ceiling(low)
                per_var.append([(x, start + m)])
            elif high is not None:
                end = sp.ceiling(high) - 1 if dom.upper_strict else sp.floor(high)
                per_var.append([(x, end - m)])
            else:
                per_var.append([(x, x)])
            continue
        if low is not None and high is not None:
            t = _parameter(name, dom.lower_strict and dom.upper_strict)
            if not dom.lower_strict or dom.upper_strict:
                options = [(x, low + (high - low) * t / (1 + t))]
                if not dom.lower_strict and not dom.upper_strict:
                    options.append((x, high))
            else:
                options = [(x, high - (high - low) * t / (1 + t))]
            per_var.append(options)
        elif low is not None:
            per_var.append([(x, low + _parameter(name, dom.lower_strict))])
        elif high is not None:
            per_var.append([(x, high - _parameter(name, dom.upper_strict))])
        else:
            per_var.append([(x, x)])
    return [dict(combo) for combo in itertools.product(*per_var)][:16]


def _parameter(name: str, positive: bool) -> Any:
    import sympy as sp

    return sp.Symbol(f"_{name}_t", positive=True) if positive else sp.Symbol(f"_{name}_t", nonnegative=True)


def _symbolic(claim: Claim, pairs: list[tuple[Any, str, Any]], syms: dict[str, Any]) -> tuple[str | None, str, dict[str, Fraction] | None]:
    """("holds" | "fails" | None, how, witness): sympy's verdict under the conditions, if it reaches one."""
    cases = _cases(claim, syms)
    shown = []
    for lhs, op, rhs in pairs:
        pair_holds = True
        for case in cases:
            verdict = decide((lhs - rhs).xreplace(case), op)
            if verdict is False:
                return "fails", f"sympy shows that {lhs} {_negated(op)} {rhs} wherever the conditions hold", None
            if verdict is not True:
                pair_holds = False
                break
        if not pair_holds:
            found = _solve_one_variable(claim, lhs, op, rhs, syms)
            if found is not None:
                return "fails", f"sympy's solveset finds where {lhs} {op} {rhs} fails", found
            return None, "", None
        shown.append(f"{lhs} {op} {rhs}")
    return "holds", "sympy proves " + " and ".join(shown) + " for every value the conditions allow", None


def _solve_one_variable(claim: Claim, lhs: Any, op: str, rhs: Any, syms: dict[str, Any]) -> dict[str, Fraction] | None:
    """A point where a one-variable inequality fails, from `solveset` over its interval (re-checked later)."""
    import sympy as sp

    if len(claim.variables) != 1 or op in ("=", "!="):
        return None
    name = claim.variables[0]
    dom: Domain = claim.domains[name]
    if dom.constraints:
        return None
    x = syms[name]
    low = to_sympy(dom.lower, {}) if dom.lower is not None else -sp.oo
    high = to_sympy(dom.upper, {}) if dom.upper is not None else sp.oo
    interval = sp.Interval(low, high, dom.lower_strict or low == -sp.oo, dom.upper_strict or high == sp.oo)
    negation = {"<=": sp.Gt, "<": sp.Ge, ">=": sp.Lt, ">": sp.Le}[op](lhs, rhs)
    try:
        bad = sp.solveset(negation, x, interval)
    except OutOfTime:
        raise
    except Exception:  # noqa: BLE001 - solveset gives up by raising on many inputs
        return None
    if bad is sp.S.EmptySet or bad.has(sp.ConditionSet) or bad.has(sp.ImageSet):
        return None
    for candidate in _points_in(bad, dom.integer):
        return {name: candidate}
    return None


def _points_in(s: Any, integer: bool) -> Iterator[Fraction]:
    """Rational (or integer) points of a sympy set, a few at most."""
    import sympy as sp

    pieces = list(s.args) if isinstance(s, sp.Union) else [s]
    for piece in pieces:
        if isinstance(piece, sp.FiniteSet):
            for el in piece:
                if el.is_Rational and (not integer or el.is_Integer):
                    yield Fraction(int(el.p), int(el.q))
        elif isinstance(piece, sp.Interval):
            a, b = piece.start, piece.end
            if integer:
                start = sp.ceiling(a) if a.is_finite else sp.floor(b) - 3
                for k in range(int(start), int(start) + 4):
                    if piece.contains(k) is sp.true:
                        yield Fraction(k)
                continue
            if a.is_finite and b.is_finite:
                mid = (a + b) / 2
            elif a.is_finite:
                mid = a + 1
            elif b.is_finite:
                mid = b - 1
            else:
                mid = sp.Integer(0)
            f = Fraction(int(mid.p), int(mid.q)) if mid.is_Rational else Fraction(str(sp.N(mid, 30))).limit_denominator(10 ** 12)
            if piece.contains(sp.Rational(f.numerator, f.denominator)) is sp.true:
                yield f


# -- the seeded search --------------------------------------------------------------------------


def _mp_bound(e: Expr | None) -> Any:
    return None if e is None else mp_eval(e, {})


def mp_eval(e: Expr, env: dict[str, Any]) -> Any:
    """The value of `e` at `env` with mpmath (the working precision set by the caller); _Undefined when not real."""
    import mpmath as mp

    if e.op == "num":
        v: Fraction = e.value  # type: ignore[assignment]
        return mp.mpf(v.numerator) / v.denominator
    if e.op == "var":
        return env[str(e.value)]
    if e.op == "const":
        return +mp.pi if e.value == "pi" else +mp.e
    args = [mp_eval(a, env) for a in e.args]
    try:
        if e.op == "neg":
            out = -args[0]
        elif e.op in ("add", "sub", "mul", "div"):
            a, b = args
            out = a + b if e.op == "add" else a - b if e.op == "sub" else a * b if e.op == "mul" else a / b
        elif e.op == "pow":
            a, b = args
            if a != 0 and abs(b) * (abs(mp.log(abs(a), 2)) + 1) > MAX_BITS:
                raise _TooLarge()
            out = a ** b
        else:
            out = _mp_call(str(e.value), args)
    except (ZeroDivisionError, ValueError, OverflowError):
        raise _Undefined() from None
    if isinstance(out, mp.mpc):
        if out.imag != 0:
            raise _Undefined()
        out = out.real
    if not mp.isfinite(out):
        raise _Undefined()
    return out


def _mp_call(name: str, args: list) -> Any:
    import mpmath as mp

    x = args[0]
    if name == "log":
        if x <= 0 or (len(args) == 2 and (args[1] <= 0 or args[1] == 1)):
            raise _Undefined()
        return mp.log(x, args[1]) if len(args) == 2 else mp.log(x)
    if name in ("sqrt",) and x < 0:
        raise _Undefined()
    if name in ("factorial", "gamma") and x <= (-1 if name == "factorial" else 0) and x == mp.floor(x):
        raise _Undefined()
    if name in ("factorial", "gamma", "exp") and x > 10 ** 7:
        raise _TooLarge()
    table = {
        "exp": mp.exp, "sqrt": mp.sqrt, "sin": mp.sin, "cos": mp.cos, "tan": mp.tan, "atan": mp.atan, "sinh": mp.sinh,
        "cosh": mp.cosh, "tanh": mp.tanh, "harmonic": mp.harmonic, "factorial": mp.factorial, "gamma": mp.gamma,
        "Abs": abs, "floor": mp.floor, "ceiling": mp.ceil,
    }
    if name == "binomial":
        return mp.binomial(x, args[1])
    if name == "Min":
        return min(args)
    if name == "Max":
        return max(args)
    return table[name](x)


def _specials(dom: Domain, rng: random.Random) -> tuple[list[Fraction], Any]:
    """Boundary and well-known points of a domain (in order: small and boundary values first) and a random draw."""
    import mpmath as mp

    low, high = _mp_bound(dom.lower if dom.lower is None or not dom.lower.variables() else None), \
        _mp_bound(dom.upper if dom.upper is None or not dom.upper.variables() else None)
    if dom.integer:
        lo = hi = None
        if low is not None:
            lo = int(mp.floor(low)) + 1 if dom.lower_strict and low == mp.floor(low) else int(mp.ceil(low))
        if high is not None:
            hi = int(mp.ceil(high)) - 1 if dom.upper_strict and high == mp.ceil(high) else int(mp.floor(high))
        pts: list[int] = []
        if lo is not None:
            pts += range(lo, lo + 31)
        if hi is not None:
            pts += range(hi, hi - 31, -1)
        if lo is None and hi is None:
            pts += [0] + [s * k for k in range(1, 31) for s in (1, -1)]
        for k in range(5, 21):
            pts += [2 ** k - 1, 2 ** k, 2 ** k + 1, -(2 ** k)]
        pts += [10 ** k for k in range(2, 7)] + [-(10 ** k) for k in range(2, 7)]
        pts = [p for p in dict.fromkeys(pts) if (lo is None or p >= lo) and (hi is None or p <= hi)]

        def draw() -> Fraction:
            if lo is not None and hi is not None:
                return Fraction(rng.randint(lo, hi))
            size = int(10 ** rng.uniform(0, 6))
            if lo is not None:
                return Fraction(lo + size)
            if hi is not None:
                return Fraction(hi - size)
            return Fraction(size * rng.choice((1, -1)))

        return [Fraction(p) for p in pts], draw

    lo_f = None if low is None else _fraction(low)
    hi_f = None if high is None else _fraction(high)
    steps = [Fraction(1, 10 ** k) for k in (1, 2, 3, 6, 9)]
    pts_f: list[Fraction] = []
    if lo_f is not None:
        pts_f += ([] if dom.lower_strict else [lo_f]) + [lo_f + s for s in steps]
    if hi_f is not None:
        pts_f += ([] if dom.upper_strict else [hi_f]) + [hi_f - s for s in steps]
    if lo_f is not None and hi_f is not None:
        pts_f += [lo_f + (hi_f - lo_f) * f for f in (Fraction(1, 2), Fraction(1, 3), Fraction(2, 3), Fraction(1, 10), Fraction(9, 10))]
    base = [Fraction(0), Fraction(1, 2), Fraction(1), Fraction(2), Fraction(3), Fraction(10), Fraction(1000), Fraction(10 ** 6), Fraction(1, 1000)]
    pts_f += base + [-b for b in base]
    if lo_f is not None:
        pts_f += [lo_f + b for b in base[1:]]
    if hi_f is not None:
        pts_f += [hi_f - b for b in base[1:]]
    pts_f = list(dict.fromkeys(pts_f))

    def draw_real() -> Fraction:
        if lo_f is not None and hi_f is not None:
            return lo_f + (hi_f - lo_f) * Fraction(rng.randrange(1, 10 ** 6), 10 ** 6)
        size = Fraction(rng.randrange(1, 10 ** 6), 10 ** 6) * Fraction(10) ** rng.randint(-3, 6)
        if lo_f is not None:
            return lo_f + size
        if hi_f is not None:
            return hi_f - size
        return size * rng.choice((1, -1))

    return pts_f, draw_real


def _fraction(x: Any) -> Fraction:
    """An mpmath number as a nearby short fraction (bounds such as pi are only approximated; points are re-checked)."""
    return Fraction(str(x)).limit_denominator(10 ** 12)


def _inside(value: Any, dom: Domain, low: Any, high: Any) -> bool:
    if low is not None and (value < low or (dom.lower_strict and value == low)):
        return False
    if high is not None and (value > high or (dom.upper_strict and value == high)):
        return False
    return True


def _points(claim: Claim, samples: int, rng: random.Random) -> tuple[Iterator[dict[str, Fraction]], bool]:
    """Sample points (special points first, then seeded random ones) and whether they cover the whole domain."""
    names = claim.variables
    specials, draws = {}, {}
    for n in names:
        specials[n], draws[n] = _specials(claim.domains[n], rng)
    exhaustive = bool(names) and all(
        claim.domains[n].integer and claim.domains[n].lower is not None and claim.domains[n].upper is not None
        and not claim.domains[n].lower.variables() and not claim.domains[n].upper.variables() for n in names)
    if exhaustive:
        total = 1
        ranges = {}
        for n in names:
            pts = sorted(specials[n])
            if not pts:
                return iter(()), True
            lo, hi = int(pts[0]), int(pts[-1])
            ranges[n] = range(lo, hi + 1)
            total *= len(ranges[n])
        if total <= samples:
            combos = itertools.product(*(ranges[n] for n in names))
            return ({n: Fraction(v) for n, v in zip(names, combo)} for combo in combos), True

    def gen() -> Iterator[dict[str, Fraction]]:
        if not names:
            yield {}
            return
        longest = max(len(specials[n]) for n in names)
        if len(names) == 1:
            for p in specials[names[0]]:
                yield {names[0]: p}
        else:
            for i in range(longest):
                yield {n: specials[n][min(i, len(specials[n]) - 1)] for n in names}
            for _ in range(samples):
                yield {n: rng.choice(specials[n]) for n in names}
        while True:
            yield {n: (rng.choice(specials[n]) if rng.random() < 0.1 else draws[n]()) for n in names}

    return gen(), False


def _float_status(values: list, ops: tuple[str, ...]) -> str:
    """"ok", "violated" or "close" (too close to call at this precision) for a chain of values."""
    import mpmath as mp

    worst = "ok"
    for i, op in enumerate(ops):
        a, b = values[i], values[i + 1]
        scale = max(abs(a), abs(b), mp.mpf(1))
        tol = scale * mp.mpf(10) ** (-(DIGITS - 10))
        d = a - b
        if abs(d) <= tol:
            if op in ("<", ">", "!="):
                worst = "close" if worst == "ok" else worst
            continue
        fine = {"=": False, "==": False, "!=": True, "<": d < 0, "<=": d < 0, ">": d > 0, ">=": d > 0}[op]
        if not fine:
            return "violated"
    return worst


def _search(claim: Claim, pairs: list, syms: dict, samples: int, seed: int, deadline: float) -> dict:
    import mpmath as mp

    body: Relation = claim.body  # type: ignore[assignment]
    rng = random.Random(seed)
    points, exhaustive = _points(claim, samples, rng)
    bounds = {n: (_mp_bound(d.lower if d.lower is None or not d.lower.variables() else None),
                  _mp_bound(d.upper if d.upper is None or not d.upper.variables() else None)) for n, d in claim.domains.items()}
    valid = undefined = too_large = rejected = unconfirmed = exact_checks = 0
    seen: set = set()
    stopped = False
    for point in points:
        if valid + undefined + too_large >= samples or rejected > 20 * samples + 1000:
            break
        if time.time() > deadline:
            stopped = True
            break
        key = tuple(sorted(point.items()))
        if key in seen:
            rejected += 1
            continue
        seen.add(key)
        env = {n: mp.mpf(v.numerator) / v.denominator for n, v in point.items()}
        if not all(_inside(env[n], claim.domains[n], *bounds[n]) for n in point):
            rejected += 1
            continue
        try:
            if not all(_constraint_ok(rel, env) for d in claim.domains.values() for rel in d.constraints):
                rejected += 1
                continue
            values = [mp_eval(t, env) for t in body.terms]
        except _TooLarge:
            too_large += 1
            continue
        except _Undefined:
            undefined += 1
            continue
        valid += 1
        if _float_status(values, body.ops) == "ok":
            continue
        if exact_checks >= MAX_EXACT_CHECKS:
            unconfirmed += 1
            continue
        exact_checks += 1
        try:
            with budget(min(5.0, deadline - time.time())):
                verdict, what = exact_violation(claim, pairs, syms, point)
        except OutOfTime:
            verdict, what = None, ""
        if verdict:
            return {"result": "refuted", "method": "sampling", "witness": _witness(point), "samples": valid,
                    "undefined": undefined, "detail": f"at {_point_text(point)}: {what} (checked exactly; point {valid} of the search with seed {seed})"}
        if verdict is None:
            unconfirmed += 1
    skipped = "".join(f"; {k} point{'s' if k != 1 else ''} {why} skipped" for k, why in (
        (undefined, "where the claim is undefined"), (too_large, "too large to evaluate")) if k)
    if valid == 0:
        why = "the search stopped at the time limit before any point was checked" if stopped else (
            "the claim is undefined at every sample point" if undefined else "no sample point meets the conditions")
        return {"result": "inconclusive", "method": "sampling", "witness": None, "samples": 0, "undefined": undefined, "detail": why}
    if unconfirmed:
        return {"result": "inconclusive", "method": "sampling", "witness": None, "samples": valid, "undefined": undefined,
                "detail": f"{unconfirmed} apparent counterexample{'s' if unconfirmed != 1 else ''} at 50 digits that the exact re-check could not confirm; {valid} points checked{skipped}"}
    if exhaustive and not stopped and not undefined:
        return {"result": "supported", "method": "exhaustive", "witness": None, "samples": valid, "undefined": 0,
                "detail": f"holds at all {valid} points the conditions allow"}
    when = " before the time limit" if stopped else ""
    return {"result": "supported", "method": "sampling", "witness": None, "samples": valid, "undefined": undefined,
            "detail": f"{valid} sample point{'s' if valid != 1 else ''} (seed {seed}) without a counterexample{when}{skipped}"}


def _constraint_ok(rel: Relation, env: dict) -> bool:
    values = [mp_eval(t, env) for t in rel.terms]
    return _float_status(values, rel.ops) == "ok"


def _witness_for(claim: Claim, pairs: list, syms: dict, seed: int, deadline: float) -> tuple[dict[str, Fraction] | None, str]:
    """A re-checked point where the claim fails, when sympy has shown that it fails wherever the conditions hold."""
    rng = random.Random(seed)
    points, _ = _points(claim, 200, rng)
    for point in itertools.islice(points, 200):
        if time.time() > deadline:
            break
        try:
            with budget(min(5.0, deadline - time.time())):
                verdict, what = exact_violation(claim, pairs, syms, point)
        except OutOfTime:
            continue
        if verdict:
            return point, what
    return None, ""


# -- relations and asymptotics ------------------------------------------------------------------


def check_relation(claim: Claim, *, samples: int, seed: int, deadline: float) -> dict:
    """Decide an (in)equality chain: symbolically if sympy can, else by the seeded search."""
    body: Relation = claim.body  # type: ignore[assignment]
    syms = symbols_for(claim)
    pairs = [(to_sympy(lhs, syms), op, to_sympy(rhs, syms)) for lhs, op, rhs in body.pairs()]
    verdict, how, found = None, "", None
    try:
        with budget(min(SYMBOLIC_S, max(0.5, (deadline - time.time()) * 0.5))):
            verdict, how, found = _symbolic(claim, pairs, syms)
    except OutOfTime:
        how = "sympy ran out of time"
    if verdict == "holds":
        return {"result": "supported", "method": "symbolic", "witness": None, "detail": how}
    if verdict == "fails":
        point, what = (found, "") if found is not None else _witness_for(claim, pairs, syms, seed, deadline)
        if point is not None:
            try:
                with budget(min(5.0, deadline - time.time())):
                    confirmed, what = exact_violation(claim, pairs, syms, point)
            except OutOfTime:
                confirmed = None
            if confirmed:
                return {"result": "refuted", "method": "symbolic", "witness": _witness(point),
                        "detail": f"{how}; at {_point_text(point)}: {what} (checked exactly)"}
    return _search(claim, pairs, syms, samples, seed, deadline)


def check_asymptotic(claim: Claim, *, deadline: float) -> dict:
    """Decide f = O(g), o(g), Theta(g), Omega(g) or f ~ g by the limit of f/g (and `Order`) as the variable → ∞."""
    import sympy as sp

    body: Asymptotic = claim.body  # type: ignore[assignment]
    syms = symbols_for(claim)
    x = syms[claim.limit]  # type: ignore[index]
    f, g = to_sympy(body.lhs, syms), to_sympy(body.rhs, syms)
    integer = claim.domains[claim.limit].integer  # type: ignore[index]
    ratio = (g / f) if body.rel == "Omega" else (f / g)
    top, bottom = (body.rhs, body.lhs) if body.rel == "Omega" else (body.lhs, body.rhs)
    shown = top if bottom == Expr("num", value=Fraction(1)) else Expr("div", (top, bottom))
    where = f"as {claim.limit} -> oo"
    try:
        with budget(max(0.5, deadline - time.time())):
            value = sp.limit(ratio, x, sp.oo)
    except OutOfTime:
        return _inconclusive("limit", f"sympy could not find the limit of {shown} {where} in time")
    except Exception as exc:  # noqa: BLE001 - sympy's limit raises many kinds of errors on hard input
        value = None
        failure = f"sympy could not find the limit of {shown} {where} ({type(exc).__name__})"
    else:
        failure = f"sympy could not find the limit of {shown} {where}"
    if value is None or isinstance(value, sp.Limit) or value.has(sp.nan) or value is sp.nan:
        if body.rel == "O":
            return _by_order(f, g, x, where, deadline) or _inconclusive("limit", failure)
        return _inconclusive("limit", failure)
    said = f"the limit of {shown} {where} is {value}"
    infinite = value in (sp.oo, -sp.oo, sp.zoo)
    if isinstance(value, sp.AccumBounds):
        return _oscillating(body.rel, value, integer, shown, where)
    zero = value.is_zero
    finite = value.is_finite
    if body.rel in ("O", "Omega"):
        if infinite:
            return _decided("refuted", "limit", said)
        if finite:
            return _decided("supported", "limit", said)
    elif body.rel == "o":
        if zero:
            return _decided("supported", "limit", said)
        if infinite or zero is False:
            return _decided("refuted", "limit", said)
    elif body.rel == "Theta":
        if finite and zero is False:
            return _decided("supported", "limit", said)
        if infinite or zero:
            return _decided("refuted", "limit", said)
    else:
        one = (value - 1).is_zero
        if one:
            return _decided("supported", "limit", said)
        if infinite or one is False:
            return _decided("refuted", "limit", said)
    return _inconclusive("limit", f"{said}, which sympy cannot place for every value of the other variables")


def _by_order(f: Any, g: Any, x: Any, where: str, deadline: float) -> dict | None:
    import sympy as sp

    try:
        with budget(max(0.5, deadline - time.time())):
            inside = sp.Order(g, (x, sp.oo)).contains(f)
    except OutOfTime:
        return None
    except Exception:  # noqa: BLE001
        return None
    if inside is True or inside is sp.true:
        return _decided("supported", "order", f"sympy's Order: {f} is in O({g}) {where}")
    if inside is False or inside is sp.false:
        return _decided("refuted", "order", f"sympy's Order: {f} is not in O({g}) {where}")
    return None


def _oscillating(rel: str, value: Any, integer: bool, ratio: Expr, where: str) -> dict:
    """A ratio without a limit, only bounds it oscillates between (sympy's AccumBounds)."""
    low, high = value.min, value.max
    said = f"{ratio} oscillates within {value} {where}"
    bounded = low.is_finite and high.is_finite
    away_from_zero = bool(low.is_positive or high.is_negative)
    if rel in ("O", "Omega") and bounded:
        return _decided("supported", "limit", said)
    if rel == "Theta" and bounded and away_from_zero:
        return _decided("supported", "limit", said)
    if integer:
        return _inconclusive("limit", f"{said} over the reals; along the integers it may still have a limit")
    if rel in ("O", "Omega") and not bounded:
        return _decided("refuted", "limit", f"{said}: unbounded")
    return _decided("refuted", "limit", f"{said}: no limit")


def _decided(result: str, method: str, detail: str) -> dict:
    return {"result": result, "method": method, "witness": None, "detail": detail}


def _inconclusive(method: str, detail: str) -> dict:
    return {"result": "inconclusive", "method": method, "witness": None, "detail": detail}


def check(claim: Claim, *, samples: int = DEFAULT_SAMPLES, seed: int = 0, deadline: float) -> dict:
    """Check `claim` until the wall-clock `deadline` (seconds since the epoch): result, method, witness, detail."""
    import mpmath as mp

    mp.mp.dps = DIGITS
    if isinstance(claim.body, Asymptotic):
        return check_asymptotic(claim, deadline=deadline)
    return check_relation(claim, samples=samples, seed=seed, deadline=deadline)


__all__ = ["DEFAULT_SAMPLES", "OutOfTime", "budget", "check", "check_asymptotic", "check_relation", "decide",
           "exact_violation", "mp_eval", "symbols_for", "to_sympy"]
