"""Broadcasts as use-cases: the wizard's draft, scheduling, pausing, and the delivery counters."""
