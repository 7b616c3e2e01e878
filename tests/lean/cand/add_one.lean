-- `m` is the statement's section variable
theorem add_one : Eq (N.add m (N.s N.z)) (N.s m) := @Eq.refl _ (N.s m)
