import Mathlib

/-!
# The learning coefficient of `K(w) = w ^ (2k)`

Statement for the library node `rlct-monomial`.

With a uniform prior on `(-1, 1)`, the real log canonical threshold of `K` is the first `z > 0`
at which `∫ K(w) ^ (-z) dw` diverges. For `K(w) = w ^ (2k)` this threshold is `1 / (2k)`: the
integral is finite exactly when `z < 1 / (2k)`. (`^ (2 * k)` is a natural-number power and
`^ (-z)` a real power; `K(w) ≥ 0` so the real power is the usual one.)
-/

namespace Conjectures

open MeasureTheory

/-- **RLCT of a monomial** (library node `rlct-monomial`). For `k ≥ 1`,
`w ↦ (w ^ (2k)) ^ (-z)` is integrable on `(-1, 1)` iff `z < 1 / (2k)`; hence the learning
coefficient of `K(w) = w ^ (2k)` at `0` is `1 / (2k)`. -/
theorem rlct_monomial (k : ℕ) (hk : 0 < k) (z : ℝ) :
    IntegrableOn (fun w : ℝ => (w ^ (2 * k)) ^ (-z)) (Set.Ioo (-1) 1) ↔
      z < 1 / (2 * (k : ℝ)) := by
  sorry

end Conjectures
