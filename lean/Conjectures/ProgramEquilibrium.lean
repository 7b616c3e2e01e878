import Mathlib

/-!
# Program equilibrium in the Prisoner's Dilemma

Statement for the library node `program-equilibrium` (Tennenholtz 2004).

Programs form a type `Prog` (finite, with decidable equality: a program can compare the
opponent's source with any given source). The semantics `run p q` is the action program `p`
takes after reading the source of its opponent `q`. Payoffs are the standard Prisoner's Dilemma
payoffs `T = 5 > R = 3 > P = 1 > S = 0`. Nothing is assumed about programs other than
`cliqueBot`, so every deviation available in the program space is covered.
-/

namespace Conjectures

namespace PD

/-- The two actions of the Prisoner's Dilemma. -/
inductive Action
  | cooperate
  | defect
  deriving DecidableEq, Repr

/-- Payoff to a player choosing `mine` when the opponent chooses `theirs`. -/
def payoff : Action → Action → ℤ
  | .cooperate, .cooperate => 3
  | .cooperate, .defect => 0
  | .defect, .cooperate => 5
  | .defect, .defect => 1

end PD

/-- Payoff to the player who submits `p` when the opponent submits `q`, in the program game. -/
def programPayoff {Prog : Type*} (run : Prog → Prog → PD.Action) (p q : Prog) : ℤ :=
  PD.payoff (run p q) (run q p)

/-- `(p, q)` is a (pure) Nash equilibrium of the program game: neither player gains by
submitting any other program. -/
def IsProgramEquilibrium {Prog : Type*} (run : Prog → Prog → PD.Action) (p q : Prog) : Prop :=
  (∀ p' : Prog, programPayoff run p' q ≤ programPayoff run p q) ∧
  (∀ q' : Prog, programPayoff run q' p ≤ programPayoff run q p)

/-- **Program equilibrium** (library node `program-equilibrium`). If `cliqueBot` cooperates
exactly against its own source and defects otherwise, then both players submitting `cliqueBot`
is a Nash equilibrium of the program game, with the mutual-cooperation payoff `3`. -/
theorem program_equilibrium_cooperation {Prog : Type*} [Fintype Prog] [DecidableEq Prog]
    (run : Prog → Prog → PD.Action) (cliqueBot : Prog)
    (hbot : ∀ q : Prog,
      run cliqueBot q = if q = cliqueBot then PD.Action.cooperate else PD.Action.defect) :
    IsProgramEquilibrium run cliqueBot cliqueBot ∧ programPayoff run cliqueBot cliqueBot = 3 := by
  sorry

end Conjectures
