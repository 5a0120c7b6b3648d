"""The kit every journey builds on: typed buttons, wizards, replies, the error handler, the org
picker, command menus."""
