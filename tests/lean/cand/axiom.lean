-- relies on the statement file's unproved assumption
theorem add_zero (n : N) : Eq (N.add n N.z) n := add_zero_ax n
