#!/usr/bin/env bash
# Called by scripts/demo.sh: the verification pipeline on a tiny `prelude` statement, run when any
# Lean is at hand (a toolchain, $WORKBENCH_LEAN, or the offline Lean that `make test` builds).
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
lean="${WORKBENCH_LEAN:-}"
[ -n "$lean" ] || lean="$(command -v lean || true)"
[ -n "$lean" ] || lean="$(ls "$HOME"/.cache/conjecture-workbench/lean-offline-*/lean 2>/dev/null | head -n 1)"
if [ -z "$lean" ]; then
  echo
  echo "Verification: no Lean at hand; \`make test\` builds an offline one, after which \`make demo\` also shows a proof being checked."
  exit 0
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
