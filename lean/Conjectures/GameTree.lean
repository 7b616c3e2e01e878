import Mathlib

/-!
# Finite two-player zero-sum game trees

Statements for the library nodes `finite-minimax` and `zermelo-determinacy`.

A game tree is either a leaf carrying an outcome, or a node at which one player (Max when the
flag is `true`, Min when it is `false`) chooses one of `n + 1` subtrees: every internal node
offers at least one move, and every tree is finite because the type is inductive.

Instead of spelling out strategies as functions on positions, we say what a player can *force*,
inductively: at her own node a player picks one child from which she can force the goal; at the
opponent's node she must be able to force it from every child. For finite trees this is exactly
"has a strategy that achieves the goal against every strategy of the opponent".
-/

namespace Conjectures

universe u

/-- A finite game tree with outcomes in `α`. `node true n next` is a position where Max moves and
`node false n next` one where Min moves; `next i` is the position after move `i`. -/
inductive GameTree (α : Type u) : Type u
  | leaf (outcome : α) : GameTree α
  | node (maxToMove : Bool) (n : ℕ) (next : Fin (n + 1) → GameTree α) : GameTree α

namespace GameTree

/-- `MaxGuarantees v t`: in `t`, Max has a strategy ensuring an outcome `≥ v` whatever Min does. -/
inductive MaxGuarantees {β : Type u} [LinearOrder β] (v : β) : GameTree β → Prop
  | atLeaf {a : β} : v ≤ a → MaxGuarantees v (GameTree.leaf a)
  | maxMove {n : ℕ} {next : Fin (n + 1) → GameTree β} (i : Fin (n + 1)) :
      MaxGuarantees v (next i) → MaxGuarantees v (GameTree.node true n next)
  | minMove {n : ℕ} {next : Fin (n + 1) → GameTree β} :
      (∀ i, MaxGuarantees v (next i)) → MaxGuarantees v (GameTree.node false n next)

/-- `MinGuarantees v t`: in `t`, Min has a strategy ensuring an outcome `≤ v` whatever Max does. -/
inductive MinGuarantees {β : Type u} [LinearOrder β] (v : β) : GameTree β → Prop
  | atLeaf {a : β} : a ≤ v → MinGuarantees v (GameTree.leaf a)
  | maxMove {n : ℕ} {next : Fin (n + 1) → GameTree β} :
      (∀ i, MinGuarantees v (next i)) → MinGuarantees v (GameTree.node true n next)
  | minMove {n : ℕ} {next : Fin (n + 1) → GameTree β} (i : Fin (n + 1)) :
      MinGuarantees v (next i) → MinGuarantees v (GameTree.node false n next)

/-- `MaxForces t` (win/lose games, leaf `true` = Max wins): Max has a winning strategy. -/
inductive MaxForces : GameTree Bool → Prop
  | atLeaf : MaxForces (GameTree.leaf true)
  | maxMove {n : ℕ} {next : Fin (n + 1) → GameTree Bool} (i : Fin (n + 1)) :
      MaxForces (next i) → MaxForces (GameTree.node true n next)
  | minMove {n : ℕ} {next : Fin (n + 1) → GameTree Bool} :
      (∀ i, MaxForces (next i)) → MaxForces (GameTree.node false n next)

/-- `MinForces t` (win/lose games, leaf `false` = Min wins): Min has a winning strategy. -/
inductive MinForces : GameTree Bool → Prop
  | atLeaf : MinForces (GameTree.leaf false)
  | maxMove {n : ℕ} {next : Fin (n + 1) → GameTree Bool} :
      (∀ i, MinForces (next i)) → MinForces (GameTree.node true n next)
  | minMove {n : ℕ} {next : Fin (n + 1) → GameTree Bool} (i : Fin (n + 1)) :
      MinForces (next i) → MinForces (GameTree.node false n next)

end GameTree

open GameTree

/-- **Minimax for finite perfect-information zero-sum games** (library node `finite-minimax`).
Every finite game tree with payoffs to Max in a linear order has a value `v`: Max can guarantee
at least `v`, Min can hold Max to at most `v`, and `v` is the largest amount Max can guarantee
(so the value is unique). -/
theorem finite_minimax {β : Type u} [LinearOrder β] (t : GameTree β) :
    ∃ v : β, MaxGuarantees v t ∧ MinGuarantees v t ∧ ∀ w : β, MaxGuarantees w t → w ≤ v := by
  sorry

/-- **Zermelo's theorem for finite win/lose games** (library node `zermelo-determinacy`).
In a finite game tree whose leaves say who wins (`true`: Max, `false`: Min), exactly one of the
two players has a winning strategy. -/
theorem zermelo_determinacy (t : GameTree Bool) :
    (MaxForces t ∨ MinForces t) ∧ ¬ (MaxForces t ∧ MinForces t) := by
  sorry

end Conjectures
