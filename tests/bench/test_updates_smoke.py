"""The update benchmark runs end to end on a few members: every simulated member's journey
(registration, training sign-up, the 推优 screens, the admin's export) gets the answers the
benchmark expects from the real bot, and the RESULT line is complete. Its figures are not judged
here (the machine is shared)."""

from __future__ import annotations

import pytest

from bench import updates

KEYS = {
    "throughput_ratio",
    "p99_ratio",
    "export_p99_growth",
    "members",
    "bot_updates_per_s",
    "echo_updates_per_s",
    "paced_per_s",
    "bot_p99_ms",
    "echo_p99_ms",
    "export_p99_ms",
    "exports",
    "misses",
}


def test_update_benchmark_walks_every_journey_and_ends_with_a_result_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--members", "600", "--users", "4", "--paced-users", "10"]
    assert updates.main([*argv, "--seconds", "0.5", "--warmup", "0.2"]) == 0

    lines = capsys.readouterr().out.strip().splitlines()
    name, _, rest = lines[-1].partition(" ")
    figures = dict(pair.split("=", 1) for pair in rest.split())
    assert name == "RESULT"
    assert set(figures) == KEYS
    # A miss is a step whose button was not there or whose answers did not all come.
    assert figures["misses"] == "0"
    assert int(figures["exports"]) >= 1
    journeys = {line.split()[0] for line in lines if line.startswith("  ")}
    assert journeys == {"nominations", "registration", "sign_up"}
    # The paced phases ran twice, alternating, and are pooled.
    assert any("pooled over 2 alternating rounds" in line for line in lines)
