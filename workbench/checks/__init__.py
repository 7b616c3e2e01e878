"""Numeric and symbolic checks of claims (sympy in a child process), claim parsing, and Lean drafts."""
