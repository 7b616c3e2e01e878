#!/usr/bin/env bash
# `make demo`: the bundled alignment library in a fresh workspace; Lean refusing a `sorry` and a smuggled
# hypothesis and settling an honest proof (scripts/demo_verify.sh); then the graph page.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$here/.venv/bin:$PATH"
export COLUMNS="${COLUMNS:-110}"
ws="$(mktemp -d "${TMPDIR:-/tmp}/wb-demo.XXXXXX")/alignment"

run() {
  printf '\n\033[1m$ %s\033[0m\n' "$*"
  "$@"
}

echo "Conjecture Workbench demo: the bundled alignment library in a fresh workspace at $ws"
run wb init "$ws" --name alignment-demo
cp "$here"/conjectures/*.toml "$ws/conjectures/"
if [ -d "$here/lean/Conjectures" ]; then
  cp -r "$here/lean/Conjectures" "$here/lean/Conjectures.lean" "$ws/lean/"
fi
git -C "$ws" add -A >/dev/null
git -C "$ws" -c user.name="${GIT_AUTHOR_NAME:-wb demo}" -c user.email="${GIT_AUTHOR_EMAIL:-demo@localhost}" \
  commit -q -m "demo: copy the bundled alignment library"
cd "$ws"
run wb list
run wb list --area oversight
run wb show debate-pspace
run wb graph debate-pspace --depth 2
run wb next --limit 5
if [ -x "$here/scripts/demo_prove.sh" ]; then
  bash "$here/scripts/demo_prove.sh" "$ws"
fi
bash "$here/scripts/demo_verify.sh"
cd "$ws"
run wb graph --format mermaid -o graph.mmd
run wb graph --format html -o "$ws/graph.html"
echo "open the page: file://$ws/graph.html"
run wb log --limit 5
echo
echo "Done. The demo workspace is $ws (delete it when you are finished)."
