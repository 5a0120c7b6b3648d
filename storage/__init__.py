"""SQLite storage: the connection, migrations and one repository per aggregate."""

from storage.database import Conflict, Database, NotFound, StorageError

__all__ = ["Conflict", "Database", "NotFound", "StorageError"]
