"""The start-up benchmark starts the bot over a bare database and one with pending reminders,
and none of the reminders fires on the way (they are in the future)."""

from __future__ import annotations

import pytest

from bench import startup


def test_startup_benchmark_reports_a_ratio_and_leaves_the_reminders_pending(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert startup.main(["--reminders", "200", "--rounds", "1"]) == 0

    out = capsys.readouterr().out
    name, _, rest = out.strip().splitlines()[-1].partition(" ")
    figures = dict(pair.split("=", 1) for pair in rest.split())
    assert name == "RESULT"
    assert set(figures) == {"startup_ratio", "reminders", "bare_s", "loaded_s"}
    assert figures["reminders"] == "200"
    assert "still pending after the runs: 200 of 200;" in out
