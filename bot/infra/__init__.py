"""Infrastructure the bot runs on: Bot API transport, update processing, engines, processes."""
