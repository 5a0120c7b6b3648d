"""The erasure ledger: the ids of everyone whose personal data was erased, in a file beside the
database rather than in it. Restoring a backup brings the database back as it was on the day
of the backup, erased people included; the ledger survives the restore and tells the bot, at
start, whom to erase again. It holds ids and a time only, nothing personal."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel


class Erasure(BaseModel):
    member_id: int | None
    telegram_user_id: int | None
    at: datetime


class ErasureLedger:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def beside(cls, database: Path) -> ErasureLedger:
        return cls(Path(f"{database}.erasures"))

    def add(self, erasure: Erasure) -> None:
        """Appends one line and makes it durable before the erasure itself is committed (an
        erasure asked for and then failed is done again at the next start: it was wanted)."""
        line = erasure.model_dump_json() + "\n"
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, line.encode("utf-8"))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def entries(self) -> list[Erasure]:
        """Every erasure recorded; lines that cannot be read (a torn last line) are skipped."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        found: list[Erasure] = []
        for line in text.splitlines():
            try:
                found.append(Erasure.model_validate(json.loads(line)))
            except ValueError:
                continue
        return found
