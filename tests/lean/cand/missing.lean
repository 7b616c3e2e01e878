theorem add_zero' (n : N) : Eq (N.add n N.z) n := @Eq.refl _ n
