"""Files the bot hands out, as pure functions from values to bytes: calendar entries, QR codes,
workbooks, charts."""
