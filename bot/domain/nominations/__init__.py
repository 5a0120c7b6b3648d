"""Rules of 推优 and honours: campaigns and eligibility, the application form, the nomination state
machine."""
