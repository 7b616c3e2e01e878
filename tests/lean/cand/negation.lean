theorem zero_eq_one : Eq N.z (N.s N.z) → False := fun h =>
  @Eq.rec N N.z (fun x _ => N.rec (motive := fun _ => Prop) True (fun _ _ => False) x) True.intro (N.s N.z) h
