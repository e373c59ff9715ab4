"""core/roster: the progress chart's axis (round numbers, never below the tallest bar)."""

from __future__ import annotations

import datetime as dt

import pytest

from sfia_assess.core.roster import Progress, Quarter, axis_ticks


@pytest.mark.parametrize(
    ("most", "ticks"),
    [
        (1, (0, 1)),
        (4, (0, 1, 2, 3, 4)),
        (5, (0, 1, 2, 3, 4, 5)),
        (7, (0, 2, 4, 6, 8)),
        (124, (0, 50, 100, 150)),
        (5_000, (0, 1_000, 2_000, 3_000, 4_000, 5_000)),
        (5_001, (0, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000)),
        (6_001, (0, 2_000, 4_000, 6_000, 8_000)),
    ],
)
def test_axis_ticks_are_round_and_reach_the_tallest_bar(most: int, ticks: tuple[int, ...]) -> None:
    assert axis_ticks(most) == ticks


def test_the_tallest_bar_counts_people_with_no_level_yet() -> None:
    """A quarter of 4 levelled people and 1 with no level is a bar of 5: the axis must reach 5
    (it stopped at 4, and the bar rose above its top label)."""
    found = Progress(
        quarters=(Quarter("2026 Q3", dt.date(2026, 9, 30)),),
        title="Incident management (USUP), SFIA 9",
        sfia_version=9,
        levels=(1, 2, 3, 4, 5, 6),
        people=(),
        counts=({3: 2, 4: 2},),
        unlevelled=(1,),
        mixed=(),
    )
    assert found.most == 5
    assert found.ticks[-1] >= 5
