"""The name bot/app.py imports the review service's wording by (`nomination_views.
NominationWording`); the screens are in the *_screens modules. Goes when bot/app.py imports
handlers.nominations.notice_screens instead (part 9, at the lead's merge)."""

from __future__ import annotations

from handlers.nominations.notice_screens import NominationWording

__all__ = ["NominationWording"]
