"""A person's own use-cases: registration and profile edits, privacy (data, erasure, retention),
transfers."""
