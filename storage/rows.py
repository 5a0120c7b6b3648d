"""The reads every repository repeats. Rows go straight into the models repositories return:
where a model's fields are the query's columns, pydantic parses them (ISO times and dates,
enums, 0/1 booleans), so no mapper is written by hand; a mapper stays where it does more."""

from __future__ import annotations

import sqlite3
from typing import TypeVar

from pydantic import BaseModel

from storage.database import NotFound, Params, Sql

M = TypeVar("M", bound=BaseModel)


async def fetch_model(
    sql: Sql, model: type[M], query: str, params: Params = (), *, missing: str
) -> M:
    """The row `query` names, as `model`; NotFound(`missing`) when there is none."""
    row = await sql.fetch_one(query, params)
    if row is None:
        raise NotFound(missing)
    return model.model_validate(dict(row))


async def fetch_models(sql: Sql, model: type[M], query: str, params: Params = ()) -> list[M]:
    """Every row of `query`, as `model`."""
    return [model.model_validate(dict(row)) for row in await sql.fetch_all(query, params)]


async def fetch_count(sql: Sql, query: str, params: Params = ()) -> int:
    """The `n` of a `SELECT COUNT(*) AS n` query."""
    row = await sql.fetch_one(query, params)
    return int(row["n"]) if row else 0


def qualified(columns: str, table: str) -> str:
    """`columns` ("id, name") named through a query's alias for their table ("m.id, m.name")."""
    return ", ".join(f"{table}.{column.strip()}" for column in columns.split(","))


def row_model(model: type[M], row: sqlite3.Row) -> M:
    """One row already read, as `model`."""
    return model.model_validate(dict(row))
