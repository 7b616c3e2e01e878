theorem Deep.succ_ne_zero : Eq (N.s N.z) N.z → False := fun h =>
  @Eq.rec N (N.s N.z) (fun x _ => N.rec (motive := fun _ => Prop) False (fun _ _ => True) x) True.intro N.z h
