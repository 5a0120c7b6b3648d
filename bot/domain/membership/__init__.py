"""Rules of a person's membership: the registration wizard's steps and checks, transfers."""
