axiom add_zero_ax (n : N) : Eq (N.add n N.z) n
theorem add_zero (n : N) : Eq (N.add n N.z) n := add_zero_ax n
