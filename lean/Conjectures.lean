-- Root module of the workspace's Lean project: statement and proof modules live in Conjectures/.
-- Statements of the bundled alignment library (each theorem is stated with `sorry`).
import Conjectures.GameTree
import Conjectures.Amplification
import Conjectures.ImportanceSampling
import Conjectures.ProgramEquilibrium
import Conjectures.RLCT
