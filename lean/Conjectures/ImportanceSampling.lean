import Mathlib

/-!
# Importance sampling is unbiased on a finite type

Statement for the library node `importance-sampling-unbiased`.

Distributions on a finite type `Ω` are given as real weight functions that are nonnegative and
sum to one; an expectation is the finite sum `∑ x, p x * g x`. Division by zero is `0` in Lean,
which matches the convention that the importance weight is `0` where `q x = 0`.
-/

namespace Conjectures

/-- **Importance sampling is unbiased** (library node `importance-sampling-unbiased`).
If `q x ≠ 0` wherever `p x * f x ≠ 0`, then `E_q[f · p / q] = E_p[f]`. -/
theorem importance_sampling_unbiased {Ω : Type*} [Fintype Ω] (p q f : Ω → ℝ)
    (hp : ∀ x, 0 ≤ p x) (hp1 : ∑ x, p x = 1) (hq : ∀ x, 0 ≤ q x) (hq1 : ∑ x, q x = 1)
    (hsupp : ∀ x, p x * f x ≠ 0 → q x ≠ 0) :
    ∑ x, q x * (f x * p x / q x) = ∑ x, p x * f x := by
  sorry

end Conjectures
