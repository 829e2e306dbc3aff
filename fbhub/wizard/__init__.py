"""``fbhub configure``: the operator guide's checklist as a resumable wizard.

- ``prompter``: the ``Prompter`` protocol (real, scripted, non-interactive) and ``NeedsInput``;
- ``stages``: the stages in the guide's order, ``Wizard`` (runs them, commits each at its end);
- ``state``: progress per profile in ``state.yaml`` next to the config file.
"""

from __future__ import annotations

from fbhub.wizard.prompter import (
    NeedsInput,
    NonInteractivePrompter,
    Option,
    Prompter,
    RichPrompter,
    ScriptedPrompter,
)
from fbhub.wizard.stages import BY_ID, ORDER, STAGES, VALUE_STAGES, Given, StageOutcome, StageSpec, Wizard
from fbhub.wizard.state import WizardState, state_path

__all__ = [
    "BY_ID", "ORDER", "STAGES", "VALUE_STAGES", "Given", "NeedsInput", "NonInteractivePrompter", "Option",
    "Prompter", "RichPrompter", "ScriptedPrompter", "StageOutcome", "StageSpec", "Wizard", "WizardState",
    "state_path",
]
