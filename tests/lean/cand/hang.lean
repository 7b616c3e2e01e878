-- 2^32 in unary: elaboration never finishes
noncomputable def N.mul (n m : N) : N := N.rec (motive := fun _ => N) N.z (fun _ ih => N.add ih n) m
noncomputable def N.pow (n m : N) : N := N.rec (motive := fun _ => N) (N.s N.z) (fun _ ih => N.mul ih n) m
noncomputable def two : N := N.s (N.s N.z)
noncomputable def big : N := N.pow two (N.pow two (N.s (N.s (N.s (N.s (N.s N.z))))))

set_option maxRecDepth 100000000 in
set_option maxHeartbeats 0 in
theorem add_zero (n : N) : Eq (N.add n N.z) n :=
  (fun (_ : Eq (N.add N.z big) big) => @Eq.refl _ n) (@Eq.refl _ big)
