import Mathlib

/-!
# Toy amplification: a contraction keeps the distillation error bounded

Statement for the library node `amplification-contraction`.

`A : X → X` is the amplification map on a (pseudo)metric space of models, assumed to be a
contraction with constant `c ∈ [0, 1)`, with fixed point `xstar` (the amplified-expert fixed
point). The sequence `x n` is produced by distillation, each step landing within `ε` of the
amplified previous model. The error then decays geometrically up to `ε / (1 - c)`.
-/

namespace Conjectures

/-- **Amplification contraction bound** (library node `amplification-contraction`).
If `dist (A y) (A z) ≤ c * dist y z` with `0 ≤ c < 1`, `A xstar = xstar`, and every distillation
step satisfies `dist (x (n + 1)) (A (x n)) ≤ ε`, then
`dist (x n) xstar ≤ c ^ n * dist (x 0) xstar + ε / (1 - c)` for all `n`. -/
theorem amplification_contraction {X : Type*} [PseudoMetricSpace X] (A : X → X) (c ε : ℝ)
    (hc0 : 0 ≤ c) (hc1 : c < 1) (hA : ∀ y z : X, dist (A y) (A z) ≤ c * dist y z)
    (xstar : X) (hfix : A xstar = xstar) (x : ℕ → X)
    (hstep : ∀ n : ℕ, dist (x (n + 1)) (A (x n)) ≤ ε) (n : ℕ) :
    dist (x n) xstar ≤ c ^ n * dist (x 0) xstar + ε / (1 - c) := by
  sorry

end Conjectures
