"""Benchmarks run against the sandbox Telegram; each ends with one `RESULT name=value ...` line."""
