"""A local stand-in for Telegram: a Bot API subset with Telegram's errors, simulated users, and a
control API (see sandbox.server for the routes and sandbox.client for test helpers)."""
