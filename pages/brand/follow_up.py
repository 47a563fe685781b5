"""Follow-up: the brand's open commitments and follow-ups across every supplier (issue 16)."""

from __future__ import annotations

from ui import state
from ui.follow_up import follow_up_page

follow_up_page(state.viewer())
