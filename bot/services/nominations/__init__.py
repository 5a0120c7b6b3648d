"""推优 and honours as use-cases: campaigns, applications, the nominee's view, review, meeting,
notice."""
