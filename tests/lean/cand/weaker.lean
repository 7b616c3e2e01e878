-- a weaker theorem under the same name: only for zero
theorem add_zero : Eq (N.add N.z N.z) N.z := @Eq.refl _ N.z
