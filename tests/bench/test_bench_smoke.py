"""The broadcast benchmark runs end to end on a handful of members; its figures are not judged
here (the machine is shared), only that it delivers and reports them."""

from __future__ import annotations

import pytest

from bench import broadcast

KEYS = {
    "rate_ratio",
    "rate_ratio_paid",
    "peak_rss_mb",
    "http_429",
    "rss_growth_mb",
    "paid_floor_ratio",
}


def test_broadcast_benchmark_ends_with_a_complete_result_line_and_no_429(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert broadcast.main(["--members", "40", "--paid-members", "40"]) == 0

    last = capsys.readouterr().out.strip().splitlines()[-1]
    name, _, rest = last.partition(" ")
    figures = dict(pair.split("=", 1) for pair in rest.split())
    assert name == "RESULT"
    assert set(figures) == KEYS
    assert figures["http_429"] == "0"
