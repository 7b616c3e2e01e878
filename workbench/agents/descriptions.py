"""What the MCP server tells its clients: the server's instructions and each tool's description."""

from workbench.agents.models import MAX_ARGUMENT_CHARS, MAX_LEAN_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS

INSTRUCTIONS = """\
Conjecture Workbench: a git-backed graph of conjectures where nothing counts as proved until Lean \
accepts a proof. Work like this: call next_targets to find what to work on; show_conjecture to read \
a node; formalize it (a Lean statement, checked to elaborate) before proving; verify_candidate a \
proof until Lean accepts it, then submit_proof to settle it. Write informal arguments as add_note \
and have them checked with request_review by a model of another family. Check a formula with \
numeric_check before building on it (a counterexample there saves a night of proof attempts). Never \
claim a result Lean has not accepted."""

DESCRIPTIONS: dict[str, str] = {
    "list_conjectures": (
        "List conjectures, filtered like `wb list`. Inputs (all optional): status, area, tag, kind, query. "
        "Output: {count, conjectures: [{id, title, kind, area, tags, status (derived: informal|formalized|proved|"
        "disproved|conditional|broken|stale|unverified; only proved and disproved are settled), recorded_status, priority, formal (bool), notes (count), last_review "
        "({verdict, author, family, date} or null), numeric_check ({result, method, witness, date} of the newest "
        "numeric check of the node's claim, or null)}]}."
    ),
    "show_conjecture": (
        "Everything about one conjecture. Input: id. Output: {id, title, kind, area, tags, priority, status, "
        "recorded_status, informal, sources, formal ({module, decl, file} or null), lean_statement (the Lean "
        "statement file's text or null), evidence (the Lean verdict that settled it, or null), notes ([{trust, "
        "text, author, family, verdict, date}]: lower-trust evidence, never a settlement), edges_out [{kind, "
        "target, title, status}], edges_in [{kind, source, title, status}], file}. Unknown id → tool error."
    ),
    "next_targets": (
        "What to work on next: open conjectures ranked by how many unsettled results a proof would unblock, "
        "then priority. Input: limit (default 10). Output: {targets: [{rank, id, title, unblocks, priority, "
        "status, area}]}."
    ),
    "graph_neighbourhood": (
        "The part of the graph around one conjecture. Inputs: id; direction: 'down' (what it rests on), 'up' "
        "(what builds on it) or 'both' (default); depth: edges to follow (default 1, null = unlimited). Output: "
        "{root, depth, nodes: [list rows plus rank], edges: [{source, target, kind}]}; `A uses B` means A rests on B."
    ),
    "verify_candidate": (
        "Check a candidate proof with Lean WITHOUT recording anything (settles nothing; allowed in read-only mode). "
        "Inputs: id (a formalized conjecture), lean (the theorem with its exact statement and its proof, plus any "
        "helper lemmas; a whole file repeating the statement file is fine), negate (default false; true checks a "
        "proof of ¬ statement). Output: {id, verdict: 'accepted'|'rejected', reasons: [{code, message, line}] "
        "(codes: lean-error, sorry, axiom, statement-mismatch, missing-declaration, forbidden, timeout, memory, "
        "bad-input, toolchain), messages: [{severity, text, line, column, in_candidate}] (line counts lines of "
        "YOUR lean text when in_candidate; column is Lean's, from 0), axioms, lean_version, elapsed_s}. `sorry`, new axioms, `#exit` and "
        "a changed statement are rejected. Not formalized / unknown id → tool error."
    ),
    "add_conjecture": (
        "Add a new conjecture (the fields of a `wb import` line), in one git commit. Inputs: id (kebab-case, "
        f"new), title (≤ {MAX_TITLE_CHARS} chars), informal (≤ {MAX_TEXT_CHARS} chars), optional kind "
        "(conjecture|theorem|lemma|definition|assumption), area, tags [str], sources [str], uses [ids it rests "
        "on; must exist; no cycles], priority (int). Its status starts `informal`. Output: {action, ids, files, "
        "message, commit}. Duplicate id, unknown `uses` target, a cycle or oversized text → tool error."
    ),
    "link": (
        "Add a typed edge `src kind dst`, in one git commit. Inputs: src, kind (uses|implies|generalizes|"
        "special-case-of|equivalent|refutes), dst. `src uses dst` means src's proof rests on dst; a `uses` edge "
        "that would close a cycle is refused (tool error naming the cycle). Output: {action, ids, files, message, commit}."
    ),
    "formalize": (
        "Attach a Lean 4 statement to a conjecture: the text is written as its statement file in the workspace's "
        "Lake project, `decl` is recorded as its declaration, and Lean checks that it elaborates (a `sorry` proof "
        "is expected). On success the conjecture becomes `formalized`, in one git commit. Inputs: id, lean (the "
        f"whole statement file, ≤ {MAX_LEAN_CHARS} chars), decl (the theorem's name, e.g. 'Conjectures.foo'). "
        "Output: {id, status, module, decl, file, lean_version, messages, commit, message}. If it does not "
        "elaborate, nothing changes and the tool error carries Lean's errors with line numbers of your text. "
        "Refused for a conjecture already proved or disproved."
    ),
    "submit_proof": (
        "Verify a proof with Lean and, ONLY when Lean accepts it, settle the conjecture as proved (disproved with "
        "negate=true) exactly as `wb check --proof` does: the proof file is stored, the verdict recorded with this "
        "MCP client as provenance, one git commit. Inputs: id, lean (as for verify_candidate), negate (default "
        "false). Output: {id, verdict, reasons, messages, axioms, lean_version, elapsed_s, settled (bool), status, "
        "commit, message, proof_file}. A rejected proof changes nothing (it is kept in the attempts log). Verify "
        "with verify_candidate first. Already settled / not formalized → tool error."
    ),
    "add_note": (
        "Record lower-trust evidence on a conjecture: an informal argument, a numeric check or a reference. It "
        "never changes the status. Inputs: id, text (≤ " + str(MAX_TEXT_CHARS) + " chars), trust ('claimed' default, or 'numeric-check'; "
        "'reviewed' comes only from request_review and 'lean-checked' only from Lean), author (default: this "
        "client's name), family (default: implied by the client). Output: {id, trust, commit, message}."
    ),
    "numeric_check": (
        "Check a formula with sympy before building on it: symbolically first, asymptotic relations only by limits "
        "(never by sampling), then a seeded search for counterexamples with each witness re-checked exactly. "
        "Inputs: id (check the node's stored claim and keep the result as a numeric-check note, one commit; with "
        "claim too, the claim and vars are stored on the node first), or claim with vars alone (an ad-hoc check: "
        "nothing is recorded); samples, seed, timeout_s. Claims use + - * / ** and log, exp, sqrt, sin, cos, "
        "harmonic, factorial, binomial, Abs, Min, Max, floor, ceiling; relations =, <, <=, >, >=, != and f = O(g), "
        "o(g), Theta(g), Omega(g), f ~ g; anything else (attributes, strings, other calls) is refused. Output: {id, "
        "claim, vars, result: supported|refuted|inconclusive, method, witness, detail, sympy_version, recorded, "
        "commit}. A refuted node is skipped by next_targets; it is NOT disproved: only Lean disproves "
        "(submit_proof with negate=true). In read-only mode nothing is recorded."
    ),
    "request_review": (
        "Have an informal argument reviewed by a model of ANOTHER family. The conjecture, its `uses` dependencies "
        "and the argument go to the reviewer, which must answer sound, gap (with where) or wrong (with why); the "
        "result is recorded as a note at trust level `reviewed` (never a settlement), in one git commit; a reply "
        "without a valid verdict is recorded as 'unparseable'. Inputs: id, argument (≤ " + str(MAX_ARGUMENT_CHARS) + " chars), reviewer "
        "(optional provider name), author_family (who wrote the argument; default implied by the client name, "
        "e.g. claude-code → anthropic), allow_same_family (default false: a same-family or undecidable pairing "
        "is refused). Output: {id, verdict, where, why, summary, problem, reviewer, model, family, "
        "author_family, commit, message}."
    ),
}
