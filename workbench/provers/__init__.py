"""Provers: turn a task (a formalized conjecture and its context) into Lean candidates for the verifier.

`providers` is the HTTP layer for chat models (OpenAI-compatible and Anthropic Messages).
"""
