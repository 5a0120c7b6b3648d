"""The application form's draft: a member's own application (申请), a revision of a returned
nomination (退回修改) or a cadre's nomination (提名); the reason, then photos and documents,
then a summary to submit. No I/O and no text here."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, model_validator

from bot.domain.models import Record
from bot.domain.nominations.campaigns import MAX_ATTACHMENTS, Campaign
from bot.domain.nominations.state import Nomination
from bot.domain.validation import InvalidInput

# What a nomination may carry as evidence: pictures, PDF and Office documents, each at most
# 10 MB (a scanned certificate is well under it; the Bot API downloads files of up to 20 MB).
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES: dict[str, frozenset[str]] = {
    ".pdf": frozenset({"application/pdf"}),
    ".doc": frozenset({"application/msword"}),
    ".docx": frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    ".xls": frozenset({"application/vnd.ms-excel"}),
    ".xlsx": frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    ".ppt": frozenset({"application/vnd.ms-powerpoint"}),
    ".pptx": frozenset(
        {"application/vnd.openxmlformats-officedocument.presentationml.presentation"}
    ),
    ".jpg": frozenset({"image/jpeg"}),
    ".jpeg": frozenset({"image/jpeg"}),
    ".png": frozenset({"image/png"}),
    ".webp": frozenset({"image/webp"}),
    ".heic": frozenset({"image/heic", "image/heif"}),
}
# Clients that do not know a file's type send it as a generic binary.
UNKNOWN_MIME = frozenset({"", "application/octet-stream"})


class FormMode(StrEnum):
    APPLY = "apply"
    REVISE = "revise"
    NOMINATE = "nominate"


class FormStep(StrEnum):
    """The form's steps; the step a draft is at is stored with it."""

    REASON = "reason"
    ATTACHMENTS = "attachments"
    SUMMARY = "summary"


class AttachmentKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


def check_attachment(kind: AttachmentKind, *, file_name: str, mime_type: str, size: int) -> None:
    """InvalidInput saying why, for a file a nomination may not carry: a document that is not
    a picture, PDF or Office file by both its name and its declared type, or one too large."""
    if size > MAX_ATTACHMENT_BYTES:
        megabytes = f"{size / 1024 / 1024:.1f}"
        limit = MAX_ATTACHMENT_BYTES // 1024 // 1024
        raise InvalidInput("application.attachment_too_big", {"size": megabytes, "max": limit})
    if kind is AttachmentKind.PHOTO:
        return
    extension = file_name[file_name.rfind(".") :].lower() if "." in file_name else ""
    declared = mime_type.lower()
    types = ATTACHMENT_TYPES.get(extension)
    if types is None or (declared not in types and declared not in UNKNOWN_MIME):
        raise InvalidInput("application.attachment_type", {"name": file_name})


class FormAttachment(BaseModel):
    kind: AttachmentKind
    file_id: str
    file_name: str = ""


class RevisionTarget(Record):
    """A revision submits the returned nomination."""

    nomination_id: int


class NewTarget(Record):
    """An application or a cadre's pick submits the member's nomination in the campaign."""

    campaign_id: int
    member_id: int


# What 提交 submits, named on the button so that a late second press is answered 已提交.
FormTarget = RevisionTarget | NewTarget


class ApplicationDraft(BaseModel):
    """What the person entered so far, and the step the form is at."""

    mode: FormMode
    campaign_id: int
    campaign_title: str
    member_id: int
    nominee_name: str
    # for a revision: the nomination and the version the nominee was shown
    nomination_id: int | None = None
    version: int | None = None
    step: FormStep = FormStep.REASON
    reason: str | None = None
    attachments: list[FormAttachment] = []
    # the step was reopened from the summary: answering it goes back there
    from_summary: bool = False

    @model_validator(mode="before")
    @classmethod
    def _stored_as_form(cls, data: Any) -> Any:
        """A form stored before the journey moved onto the wizard kit is `{"form": {...}}`
        (with its nonce inside, which the drafts row holds as well)."""
        if isinstance(data, dict) and isinstance(data.get("form"), dict):
            return data["form"]
        return data

    def next_step(self) -> FormStep:
        return self.step

    @property
    def full(self) -> bool:
        return len(self.attachments) >= MAX_ATTACHMENTS

    def target(self) -> FormTarget:
        if self.mode is FormMode.REVISE:
            assert self.nomination_id is not None
            return RevisionTarget(nomination_id=self.nomination_id)
        return NewTarget(campaign_id=self.campaign_id, member_id=self.member_id)

    def same_form(self, other: ApplicationDraft) -> bool:
        """Whether `other` opens the form this draft holds (the same version of it)."""
        keys = ("mode", "campaign_id", "member_id", "nomination_id", "version")
        return all(getattr(self, key) == getattr(other, key) for key in keys)

    def after_reason(self) -> ApplicationDraft:
        """On to the attachments, or back to the summary the reason was reopened from."""
        step = FormStep.SUMMARY if self.from_summary else FormStep.ATTACHMENTS
        return self.at(step)

    def at(self, step: FormStep, *, from_summary: bool = False) -> ApplicationDraft:
        return self.model_copy(update={"step": step, "from_summary": from_summary})


class Submitted(BaseModel):
    """A form sent: the nomination as it is now, and its campaign."""

    nomination: Nomination
    campaign: Campaign
    mode: FormMode
