#!/usr/bin/env bash
# Called by scripts/demo.sh with the demo workspace as $1: try the tactic portfolio on the formal
# statements when a Lean toolchain is found, and otherwise say how to get one.
set -uo pipefail
ws="${1:?usage: demo_prove.sh WORKSPACE}"
cd "$ws" || exit 1
run() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

if ! wb doctor --json 2>/dev/null | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin).get("lean") else 1)'; then
  echo
  echo "Proving: no Lean toolchain here, so the demo skips \`wb prove\`. To try it:"
  echo "  curl https://raw.githubusercontent.com/leanprover/elan/master/elan-init.sh -sSf | sh"
  echo "  cd $ws/lean && lake exe cache get     # Mathlib's prebuilt files"
  echo "  wb doctor                              # shows what wb found"
  echo "then: wb check ID (statement elaborates -> formalized), wb prove ID, wb attempts ID."
  echo "Model provers: wb prove ID --prover openai|anthropic|NAME (see 'Proving' in the README)."
  exit 0
fi

ids() { wb list --json | python3 -c "import json,sys; print(' '.join(r['id'] for r in json.load(sys.stdin) if $1))"; }
for id in $(ids "r['formal'] and r['recorded_status'] == 'informal'"); do
  run wb check "$id" || true           # a statement that elaborates becomes formalized
done
todo=$(ids "r['recorded_status'] == 'formalized'")
if [ -z "$todo" ]; then
  echo "No formalized conjectures to prove (see \`wb check ID\` output above)."
  exit 0
fi
for id in $todo; do
  run wb prove "$id" --prover portfolio || true
done
first=${todo%% *}
run wb attempts "$first"
