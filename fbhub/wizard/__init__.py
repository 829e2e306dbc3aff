"""``fbhub configure``: the operator guide's checklist as a resumable wizard.

- ``prompter``: the ``Prompter`` protocol (real, scripted, non-interactive) and ``NeedsInput``;
- ``engine``: the stages in the guide's order (``StageSpec``), ``StageOutcome``, ``Wizard`` (runs the stages,
  commits each at its end), the status and resume lines;
- ``output``: plain, copyable output (``Out``);
- ``stages/``: one module per stage (``STAGE_FUNCS`` maps stage id -> function); Page tokens are checked by the
  page-token checks of ``fbhub.checks``;
- ``state``: progress per profile in ``state.yaml`` next to the config file.
"""

from __future__ import annotations

from fbhub.wizard.engine import BY_ID, ORDER, STAGES, VALUE_STAGES, Given, StageOutcome, StageSpec, Wizard
from fbhub.wizard.prompter import (
    NeedsInput,
    NonInteractivePrompter,
    Option,
    Prompter,
    RichPrompter,
    ScriptedPrompter,
)
from fbhub.wizard.state import WizardState, state_path

__all__ = [
    "BY_ID", "ORDER", "STAGES", "VALUE_STAGES", "Given", "NeedsInput", "NonInteractivePrompter", "Option",
    "Prompter", "RichPrompter", "ScriptedPrompter", "StageOutcome", "StageSpec", "Wizard", "WizardState",
    "state_path",
]
