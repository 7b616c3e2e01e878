"""Lean 4 verification: toolchain discovery, the checking pipeline, message parsing and sandboxing.

Entry points: `toolchain.resolve_toolchain`, `verify.verify`, `verify.check_statement`,
`normalize.normalize_candidate`, `toolchain.doctor`. The modules are imported lazily by callers so that
`wb --help` does not pay for them.
"""
