"""The checking engine with real sympy and mpmath: true, false and undecidable claims of each kind, the asymptotic
traps that sampling gets wrong, integer versus real variables, and every witness re-checked independently.

`check` is called in this process for the breadth of the table; `check_claim` (the public call, which runs
sympy in a child process) is exercised in test_numeric_check.py and below for the limits."""

from __future__ import annotations

import math
import time
from fractions import Fraction

import pytest

from _check_fixtures import runner_pids

from workbench.checks.claims import parse_claim
from workbench.checks.numeric import check


def verdict(text: str, conditions: dict | None = None, *, samples: int = 1000, seed: int = 0) -> dict:
    return check(parse_claim(text, conditions or {}), samples=samples, seed=seed, deadline=time.time() + 60)


INT1 = {"n": "integer, n >= 1"}

# claim, conditions, result, method (None: any), independent re-check of a witness (None: no witness expected)
CASES = [
    # true relations: symbolically, or by a search that finds nothing
    ("eps/(1-c) >= eps", {"eps": "0 < eps < 1", "c": "0 <= c < 1"}, "supported", "symbolic", None),
    ("x**2 + y**2 >= 2*x*y", {}, "supported", "symbolic", None),
    ("log(x*y) = log(x) + log(y)", {"x": "positive", "y": "positive"}, "supported", "symbolic", None),
    ("sin(x)**2 + cos(x)**2 = 1", {}, "supported", "symbolic", None),
    ("eps*(1 - c**n)/(1 - c) <= eps/(1 - c)", {"eps": "eps > 0", "c": "0 <= c < 1", "n": "integer, n >= 0"}, "supported", "symbolic", None),
    ("exp(x) >= 1 + x", {}, "supported", "sampling", None),
    ("factorial(n) <= n**n", INT1, "supported", "sampling", None),
    ("n**2 <= 2**n", {"n": "integer, n >= 4"}, "supported", "sampling", None),
    ("harmonic(n) <= log(n) + 1", INT1, "supported", "sampling", None),
    ("k**2 <= 25", {"k": "integer, -5 <= k <= 5"}, "supported", "exhaustive", None),
    # false relations: the witness is found, re-checked exactly, and re-checked here independently
    ("n**2 <= 2**n", INT1, "refuted", "sampling", lambda w: int(w["n"]) ** 2 > 2 ** int(w["n"])),
    ("n**2 < 2**n", {"n": "integer, n >= 4"}, "refuted", "sampling", lambda w: int(w["n"]) ** 2 >= 2 ** int(w["n"])),
    ("1/(2*k) < 1/2", {"k": "integer, k >= 1"}, "refuted", None,
     lambda w: Fraction(1, 2 * int(w["k"])) >= Fraction(1, 2)),
    ("x**2 >= 2*x", {}, "refuted", "symbolic", lambda w: Fraction(w["x"]) ** 2 < 2 * Fraction(w["x"])),
    ("exp(x) >= 1 + x + x**2/2", {}, "refuted", "sampling",
     lambda w: math.exp(float(Fraction(w["x"]))) < float(1 + Fraction(w["x"]) + Fraction(w["x"]) ** 2 / 2)),
    ("x**3 = x", {}, "refuted", None, lambda w: Fraction(w["x"]) ** 3 != Fraction(w["x"])),
    ("n + 1 = n", {"n": "integer, n >= 0"}, "refuted", "symbolic", lambda w: int(w["n"]) + 1 != int(w["n"])),
    # integer versus real variables
    ("floor(n) = n", {"n": "integer"}, "supported", None, None),
    ("floor(x) = x", {}, "refuted", None, lambda w: math.floor(Fraction(w["x"])) != Fraction(w["x"])),
    ("sin(pi*n) = 0", {"n": "integer"}, "supported", "symbolic", None),
    ("sin(pi*x) = 0", {}, "refuted", None, lambda w: abs(math.sin(math.pi * float(Fraction(w["x"])))) > 1e-9),
    ("n*(n + 1)/2 = floor(n*(n + 1)/2)", {"n": "integer"}, "supported", None, None),
    ("x*(x + 1)/2 = floor(x*(x + 1)/2)", {}, "refuted", None,
     lambda w: (lambda x: x * (x + 1) / 2 != math.floor(x * (x + 1) / 2))(Fraction(w["x"]))),
    # undecidable here: the claim is undefined at every real point
    ("log(-x**2 - 1) = 0", {}, "inconclusive", "sampling", None),
    # asymptotic claims: by limits only
    ("log(n)**10 = O(n**(1/100))", INT1, "supported", "limit", None),
    ("harmonic(n) ~ log(n)", INT1, "supported", "limit", None),
    ("n**100 = o(2**n)", INT1, "supported", "limit", None),
    ("n*log(n) - n = Theta(n*log(n))", INT1, "supported", "limit", None),
    ("n**2 = Omega(n)", INT1, "supported", "limit", None),
    ("log(n)**2 = o(n)", {}, "supported", "limit", None),
    ("n**(1/100) = O(log(n)**10)", INT1, "refuted", "limit", None),
    ("log(log(n)) = O(1)", {"n": "integer, n >= 3"}, "refuted", "limit", None),
    ("2**n = O(n**100)", INT1, "refuted", "limit", None),
    ("n = o(n)", INT1, "refuted", "limit", None),
    ("harmonic(n) ~ 2*log(n)", INT1, "refuted", "limit", None),
    ("sin(n) = o(1)", {"n": "integer"}, "inconclusive", "limit", None),
]


@pytest.mark.parametrize("text, conditions, result, method, recheck", CASES, ids=[c[0] for c in CASES])
def test_claims_of_each_kind(text, conditions, result, method, recheck):
    out = verdict(text, conditions)
    assert out["result"] == result, out
    if method is not None:
        assert out["method"] == method, out
    if recheck is None:
        assert out["witness"] is None
    else:
        assert out["witness"] and recheck(out["witness"]), out
        assert "checked exactly" in out["detail"]


def test_the_asymptotic_trap_is_refused_although_every_sample_agrees():
    """n**(1/100) <= log(n)**10 at every n a machine can write down (the crossover is near 10**3950), yet the
    claim n**(1/100) = O(log(n)**10) is false: the limit says so and sampling is never consulted."""
    import mpmath as mp

    with mp.workdps(60):
        for k in (1, 10, 100, 1000, 3000):
            n = mp.mpf(10) ** k
            assert n ** (mp.mpf(1) / 100) < mp.log(n) ** 10
    out = verdict("n**(1/100) = O(log(n)**10)", INT1)
    assert (out["result"], out["method"]) == ("refuted", "limit")
    assert "oo" in out["detail"] and out["witness"] is None
    # and the converse, which samples would call false for small n, is supported
    assert verdict("log(n)**10 = O(n**(1/100))", INT1)["result"] == "supported"


def test_the_search_is_reproducible_from_its_seed():
    first = verdict("sin(x) <= x*(1 - x**2/10)", {"x": "0 < x < 10"}, seed=7)
    again = verdict("sin(x) <= x*(1 - x**2/10)", {"x": "0 < x < 10"}, seed=7)
    assert first == again and first["result"] == "refuted"


def test_an_exact_recheck_refuses_a_false_alarm():
    """At 50 digits 1 + 10**-60 looks like 1; the exact re-check knows better, so the strict claim holds."""
    out = verdict("x < x + 10**(-60)", {})
    assert out["result"] == "supported"


def test_the_child_stops_a_hanging_claim_at_the_timeout_and_leaves_no_process():
    from workbench.checks.check import check_claim

    before = runner_pids()
    started = time.monotonic()
    run = check_claim("factorial(10**9) > 0", timeout=2)
    elapsed = time.monotonic() - started
    assert (run.result.result, run.result.method) == ("inconclusive", "timeout")
    assert 1.5 < elapsed < 6, elapsed
    assert runner_pids() <= before


def test_the_child_is_capped_in_memory():
    from workbench.checks.check import check_claim

    run = check_claim("x**2 + 1 > 0", memory_mb=32, timeout=20)  # too little even to load sympy
    assert (run.result.result, run.result.method) == ("inconclusive", "memory")
    assert "32 MB" in run.result.detail


def test_the_public_call_reports_sympy_and_the_witness():
    from workbench.checks.check import check_claim

    run = check_claim("n**2 <= 2**n", INT1, seed=0)
    assert run.result.model_dump() == {
        "id": None, "result": "refuted", "method": "sampling", "witness": {"n": "3"},
        "detail": run.result.detail, "sympy_version": run.result.sympy_version,
    }
    import sympy

    assert run.result.sympy_version == sympy.__version__
    assert run.record.seed == 0 and run.record.samples == 3

