"""Trainings as use-cases: publishing and editing, sign-up and the waitlist, check-in, reminders."""
