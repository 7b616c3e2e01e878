-- declares the name outside the statement's namespace
theorem _root_.add_zero (n : N) : Eq (N.add n N.z) n := @Eq.refl _ n
