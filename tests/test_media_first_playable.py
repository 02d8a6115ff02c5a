"""When the lowest rung gets a first pass of its own (time to first playable,
issue 17): only for a ladder of three rungs or more and a video long enough
for the early rung to be worth a second decode of the source."""

from __future__ import annotations

import pytest

from media_pipeline.probe import ProbeResult
from media_pipeline.transcode import first_playable_split, plan


def ladder(seconds: float, short_side: int = 1080):
    src = ProbeResult(
        demuxer="mov",
        duration=seconds,
        width=short_side * 16 // 9,
        height=short_side,
        video_codec="h264",
        pix_fmt="yuv420p",
        frame_rate=25,
    )
    return plan(src)


@pytest.mark.parametrize(
    ("seconds", "passes"),
    [
        (30, None),  # a clip: its whole ladder is ready about as soon
        (119.9, None),
        (120, (["360p"], ["1080p", "720p", "480p"])),
        (600, (["360p"], ["1080p", "720p", "480p"])),  # a lesson: 360p first
    ],
)
def test_first_pass_for_lessons_of_two_minutes_or_more(settings, seconds, passes):
    assert settings.MEDIA_FIRST_PLAYABLE_MIN_SECONDS == 120
    split = first_playable_split(ladder(seconds), seconds)
    names = split and tuple([r.name for r in part.rungs] for part in split)
    assert names == passes


def test_no_first_pass_when_turned_off_or_with_two_rungs(settings):
    assert first_playable_split(ladder(600, short_side=480), 600) is None
    settings.MEDIA_FIRST_PLAYABLE_PASS = False
    assert first_playable_split(ladder(600), 600) is None
