prelude
/-! Statement fixture: an earlier sorried lemma (`helper`) before the target. -/
universe u
axiom sorryAx (α : Sort u) (synthetic : Bool) : α
inductive Bool where | false | true
inductive Eq {α : Sort u} : α → α → Prop where | refl (a : α) : Eq a a
inductive N where | z | s (n : N)
noncomputable def N.add (n m : N) : N := N.rec (motive := fun _ => N) n (fun _ ih => N.s ih) m

namespace Arith
theorem helper (n : N) : Eq (N.add n N.z) n := sorryAx _ Bool.false

theorem target : Eq (N.add (N.s N.z) N.z) (N.s N.z) := sorryAx _ Bool.false
end Arith
