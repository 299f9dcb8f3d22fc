from __future__ import annotations

from tests.transcoder.test_validate import INFO
from transcoder.house import HouseFormat
from transcoder.pictures import plan_pictures, thumbnail_names, thumbnail_times
from transcoder.plan import Filter, plan_encode


def test_times_stay_inside_the_programme() -> None:
    assert thumbnail_times(100.0, 4) == (10.0, (20.0, 40.0, 60.0, 80.0))
    poster, thumbs = thumbnail_times(1.0, 2)
    assert 0 <= poster < 1.0
    assert all(0 < t < 1.0 for t in thumbs)
    assert thumbnail_names(2) == ("thumbs/thumb_00.jpg", "thumbs/thumb_01.jpg")


def test_pictures_are_frames_of_the_output() -> None:
    pictures = plan_pictures(frame_count=250, fps=25)
    assert [(p.name, p.frame, p.width, p.height) for p in pictures] == [
        ("poster.jpg", 25, 1280, 720),
        ("thumbs/thumb_00.jpg", 50, 320, 180),
        ("thumbs/thumb_01.jpg", 100, 320, 180),
        ("thumbs/thumb_02.jpg", 150, 320, 180),
        ("thumbs/thumb_03.jpg", 200, 320, 180),
    ]
    assert all(0 <= p.frame < 3 for p in plan_pictures(frame_count=3, fps=25))
    plan = plan_encode(INFO, HouseFormat(), None)
    assert [p.picture for p in plan.pictures] == list(plan_pictures(frame_count=250, fps=25))
    assert plan.pictures[0].filters[0] == Filter("trim", (("start_frame", "25"), ("end_frame", "26")))
