"""The scale benchmark runs end to end on a tiny district; its figures are not judged here (the
machine is shared), only that every operation ran on the data and the RESULT line is complete."""

from __future__ import annotations

import pytest

from bench import scale

KEYS = {
    "members",
    "trainings",
    "nominations",
    "count_s",
    *(
        f"{name}_{figure}"
        for name in ("figures", "stats", "members", "trainings", "nominations")
        for figure in ("s", "ratio", "rss_mb")
    ),
    *(f"{name}_worker_peak_mb" for name in ("members", "trainings", "nominations")),
    "members_file_mb",
    "members_growth_per_file",
    "members_growth_beyond_file_mb",
    "peak_rss_mb",
}


def test_scale_benchmark_measures_every_operation_and_ends_with_a_result_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--members", "400", "--trainings", "10", "--nominations", "50", "--in-process"]
    assert scale.main(argv) == 0

    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("built 400 members, 10 trainings, 50 nominations")
    name, _, rest = lines[-1].partition(" ")
    figures = dict(pair.split("=", 1) for pair in rest.split())
    assert name == "RESULT"
    assert set(figures) == KEYS
    assert (figures["members"], figures["trainings"], figures["nominations"]) == ("400", "10", "50")
    table = "\n".join(lines[1:-1])
    # Every member exported, each training with its 20 sign-ups, each nomination with its steps.
    assert "export: members" in table and " 400 " in table.split("export: members")[1]
    assert float(figures["stats_s"]) > 0 and float(figures["members_file_mb"]) > 0
    # The files were made by the export process, whose memory is reported on its own.
    assert float(figures["members_worker_peak_mb"]) > 0
