"""Rows as models: where a model's fields are a query's columns, pydantic parses what SQLite
returns (ISO times and dates, enum values, 0/1 booleans) and no hand-written mapper is needed."""

from __future__ import annotations

import sqlite3
from typing import TypeVar

from pydantic import BaseModel

from storage.database import NotFound, Params, Sql

M = TypeVar("M", bound=BaseModel)


def model(of: type[M], row: sqlite3.Row) -> M:
    return of.model_validate(dict(row))


async def one(sql: Sql, of: type[M], query: str, params: Params, *, missing: str) -> M:
    """The row `query` finds, as `of`; NotFound(`missing`) when it finds none."""
    row = await sql.fetch_one(query, params)
    if row is None:
        raise NotFound(missing)
    return model(of, row)


async def every(sql: Sql, of: type[M], query: str, params: Params = ()) -> list[M]:
    """The rows `query` finds, as `of`, in its order."""
    return [model(of, row) for row in await sql.fetch_all(query, params)]
