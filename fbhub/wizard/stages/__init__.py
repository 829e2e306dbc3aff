"""The stages of ``fbhub configure``, one module per stage, in the guide's order.

Each stage prints what to do and where, prints the values to paste, asks for what it needs through a
``Prompter``, verifies what the Graph API can verify, and returns a ``StageOutcome``; ``Wizard.commit``
(``fbhub.wizard.engine``) writes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fbhub.wizard.engine import (
    BY_ID,
    ORDER,
    STAGES,
    VALUE_STAGES,
    Given,
    SecretWrite,
    StageOutcome,
    StageSpec,
    resume_line,
    status_rows,
    still_open,
)
from fbhub.wizard.output import Out, in_wizard
from fbhub.wizard.stages.app_review import stage_app_review
from fbhub.wizard.stages.connector_hub import stage_connector_hub
from fbhub.wizard.stages.create_app import stage_create_app
from fbhub.wizard.stages.domain import stage_domain
from fbhub.wizard.stages.facebook_login import stage_facebook_login
from fbhub.wizard.stages.live import stage_live
from fbhub.wizard.stages.messenger import stage_messenger
from fbhub.wizard.stages.prerequisites import stage_prerequisites
from fbhub.wizard.stages.testers import stage_testers
from fbhub.wizard.stages.webhooks import stage_webhooks

if TYPE_CHECKING:
    from fbhub.wizard.engine import Wizard

STAGE_FUNCS: dict[str, Callable[[Wizard], StageOutcome]] = {
    "prerequisites": stage_prerequisites,
    "domain": stage_domain,
    "create-app": stage_create_app,
    "facebook-login": stage_facebook_login,
    "messenger": stage_messenger,
    "webhooks": stage_webhooks,
    "connector-hub": stage_connector_hub,
    "testers": stage_testers,
    "app-review": stage_app_review,
    "live": stage_live,
}


__all__ = [
    "BY_ID", "ORDER", "STAGES", "STAGE_FUNCS", "VALUE_STAGES", "Given", "Out", "SecretWrite", "StageOutcome",
    "StageSpec", "in_wizard", "resume_line", "status_rows", "still_open",
]
