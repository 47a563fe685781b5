"""What's new since your last visit, for the brand's suppliers (issue 16)."""

from __future__ import annotations

from ui import state
from ui.whats_new import whats_new_page

state.keep_only_params()
whats_new_page(state.viewer())
