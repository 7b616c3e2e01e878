prelude
/-! Statement fixture: a tiny arithmetic without Init (the offline Lean has none). -/
universe u
axiom sorryAx (α : Sort u) (synthetic : Bool) : α
inductive Bool where | false | true
inductive False : Prop
inductive True : Prop where | intro
inductive Eq {α : Sort u} : α → α → Prop where | refl (a : α) : Eq a a
inductive N where | z | s (n : N)
noncomputable def N.add (n m : N) : N := N.rec (motive := fun _ => N) n (fun _ ih => N.s ih) m

/-- An assumption of the library, not proved here. -/
axiom add_zero_ax (n : N) : Eq (N.add n N.z) n

namespace Arith

/-- Adding zero on the right changes nothing. -/
@[simp] theorem add_zero (n : N) : Eq (N.add n N.z) n := sorryAx _ Bool.false

section
variable (m : N)

theorem add_one : Eq (N.add m (N.s N.z)) (N.s m) := sorryAx _ Bool.false

end

theorem Deep.succ_ne_zero : Eq (N.s N.z) N.z → False := sorryAx _ Bool.false

/-- A false statement: its negation is provable. -/
theorem zero_eq_one : Eq N.z (N.s N.z) := sorryAx _ Bool.false

end Arith

theorem later : Eq N.z N.z := sorryAx _ Bool.false
