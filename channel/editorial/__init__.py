"""Editorial control of what airs: four-eyes review of exact revisions, withdrawals, emergency takeovers.

`may_air` is the one rule every source of the air follows (programmes and fillers through the compile,
live events through `airable.live_airings`); docs/editorial.md tells the whole story.
"""

from channel.editorial.airable import CompileInputs, compile_inputs
from channel.editorial.reviews import airing_approval, may_air

__all__ = ["CompileInputs", "airing_approval", "compile_inputs", "may_air"]
