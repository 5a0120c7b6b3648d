"""Cadres' use-cases: permissions, member review, imports, the audit view, figures, exports, the
digest."""
