"""Conjecture Workbench: a git-backed graph of conjectures where only Lean settles anything."""

__version__ = "0.1.0"
