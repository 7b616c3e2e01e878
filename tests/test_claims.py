"""Claims are untrusted text: read with `ast` and a whitelist, never evaluated; anything else is refused by name."""

from __future__ import annotations

import sys
from fractions import Fraction

import pytest

from workbench.checks.claims import Asymptotic, Relation, parse_claim, parse_condition, parse_var_option
from workbench.errors import ClaimError


@pytest.mark.parametrize("text, kind, variables", [
    ("eps/(1-c) >= eps", Relation, ["eps", "c"]),
    ("n**2 <= 2**n", Relation, ["n"]),
    ("0 < x**2 + 1 <= 2*x**2 + 1", Relation, ["x"]),
    ("log(n)**2 = o(n)", Asymptotic, ["n"]),
    ("harmonic(n) ~ log(n)", Asymptotic, ["n"]),
    ("n*log(n) + n = O(n*log(n))", Asymptotic, ["n"]),
    ("lambda/n + 1/n**2 == lambda/n + n**(-2)", Relation, ["lambda", "n"]),
    ("binomial(2*n, n) <= 4**n", Relation, ["n"]),
    ("Max(x, y) >= (x + y)/2 - Abs(x - y)/2", Relation, ["x", "y"]),
])
def test_claims_of_each_kind_are_read(text, kind, variables):
    claim = parse_claim(text, {"n": "integer, n >= 1"} if "n" in variables else {})
    assert isinstance(claim.body, kind)
    assert claim.variables == variables
    assert claim.asymptotic == (kind is Asymptotic)


@pytest.mark.parametrize("text, named", [
    ("__import__('os').system('touch /tmp/wb-pwned') = 0", "__import__('os').system"),
    ("().__class__.__bases__[0] = 1", "().__class__"),
    ("x.real > 0", "x.real"),
    ("a[0] > 1", "a[0]"),
    ("open('/etc/passwd') = 1", "open"),
    ("exec('import os') = 0", "exec"),
    ("eval('1') = 1", "eval"),
    ("getattr(x, 'y') > 0", "getattr"),
    ("'abc' > 'abd'", "'abc'"),
    ("(lambda: 1)() > 0", "lambda"),
    ("__builtins__ > 0", "__builtins__"),
    ("[x for x in y] > 1", "[x for x in y]"),
    ("x ^ 2 > 1", "x ^ 2"),
    ("9**9**9**9 > 1", "9**9**9"),
    ("log > 1", "log"),
    ("O(n) = n", "O(n)"),
])
def test_anything_but_the_whitelist_is_refused_naming_the_part(text, named):
    with pytest.raises(ClaimError) as exc:
        parse_claim(text)
    message = str(exc.value)
    assert named in message and "\n" not in message


def test_refusing_runs_nothing(tmp_path):
    """A claim that would run code is refused before anything is evaluated: the file it would create never appears."""
    marker = tmp_path / "pwned"
    for text in (f"__import__('os').system('touch {marker}') = 0", f"open('{marker}', 'w') = 1",
                 f"[__import__('pathlib').Path('{marker}').touch()] = 1"):
        with pytest.raises(ClaimError):
            parse_claim(text)
    assert not marker.exists()


def test_parsing_does_not_import_sympy():
    import subprocess

    code = ("import sys; from workbench.checks.claims import parse_claim; parse_claim('log(n)**2 = o(n)'); "
            "print('sympy' in sys.modules, 'mpmath' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_limits_on_size_and_depth():
    with pytest.raises(ClaimError, match="limit is 500"):
        parse_claim("x" + " + x" * 200 + " > 0")
    with pytest.raises(ClaimError, match="nested more than 40 levels"):
        parse_claim("log(" * 45 + "x" + ")" * 45 + " > 0")
    with pytest.raises(ClaimError, match="more than 300 parts"):
        parse_claim("+".join(["x*x*x*x*x*x*x*x"] * 30) + " > 0")
    with pytest.raises(ClaimError, match="only ASCII"):
        parse_claim("ε > 0")


def test_conditions_give_types_bounds_and_constraints():
    n = parse_condition("n", "integer, n >= 1")
    assert n.integer and n.lower.value == Fraction(1) and not n.lower_strict and n.upper is None
    eps = parse_condition("eps", "0 < eps < 1")
    assert not eps.integer and eps.lower_strict and eps.upper_strict and eps.upper.value == Fraction(1)
    k = parse_condition("k", "positive, k >= 2, k <= n")
    assert k.lower.value == Fraction(2) and not k.lower_strict  # the tighter lower bound wins
    assert [str(r) for r in k.constraints] == ["k <= n"]
    with pytest.raises(ClaimError, match="unknown word `natural`"):
        parse_condition("n", "natural")
    with pytest.raises(ClaimError, match="does not use"):
        parse_claim("x > 0", {"y": "y > 0"})


def test_the_limit_variable_of_an_asymptotic_claim():
    assert parse_claim("lambda/n ~ lambda/n + 1/n**2", {"n": "integer, n >= 1"}).limit == "n"
    assert parse_claim("log(x) = o(x)").limit == "x"
    assert parse_claim("T = O(n*log(n))", limit="n").limit == "n"
    with pytest.raises(ClaimError, match="name the limit variable"):
        parse_claim("T = O(n*log(n))")
    with pytest.raises(ClaimError, match="only used by asymptotic"):
        parse_claim("x > 0", limit="x")


def test_var_option():
    assert parse_var_option("n: integer, n >= 1") == ("n", "integer, n >= 1")
    with pytest.raises(ClaimError, match="NAME: CONDITION"):
        parse_var_option("n >= 1")
