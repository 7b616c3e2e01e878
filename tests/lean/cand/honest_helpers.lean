/- A proof with a helper lemma. Comments may mention #exit, sorry, import,
   macro or #eval without harm: /- even nested comments -/ are fine. -/

-- helper: the recursor computes on zero
theorem add_z_helper (n : N) : Eq (N.add n N.z) n := @Eq.refl _ n

/-- The target, proved with the helper. -/
theorem add_zero (n : N) : Eq (N.add n N.z) n :=
  add_z_helper n -- no sorry here
