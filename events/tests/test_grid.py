"""The schedule grid's layout (events/portal/grid.py) alone: plain objects in, rows and columns
out — no database, no request."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from events.portal.grid import event_days, grid_layout

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2031, 6, 10)


def _at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def _event(start: datetime, end: datetime) -> SimpleNamespace:
    return SimpleNamespace(start=start, end=end, tz=BERLIN)


def _room(pk: int) -> SimpleNamespace:
    return SimpleNamespace(pk=pk)


def _session(pk: int, start: datetime, minutes: int, room: int | None, colour: str | None = None) -> SimpleNamespace:
    track = SimpleNamespace(colour=colour) if colour else None
    return SimpleNamespace(pk=pk, start=start, end=start + timedelta(minutes=minutes), room_id=room, track=track)


CONFERENCE = _event(_at(9, day=date(2031, 6, 9)), _at(18, day=date(2031, 6, 11)))


def test_event_days_are_the_calendar_days_in_the_event_zone_and_a_midnight_end_adds_none():
    utc_evening = _event(datetime(2031, 6, 9, 22, 30, tzinfo=ZoneInfo("UTC")), _at(0, day=date(2031, 6, 12)))

    assert event_days(CONFERENCE) == [date(2031, 6, 9), date(2031, 6, 10), date(2031, 6, 11)]
    assert event_days(utc_evening) == [date(2031, 6, 10), date(2031, 6, 11)]  # 00:30 in Berlin, ends at midnight


def test_an_empty_day_runs_from_nine_to_six_in_five_minute_rows():
    grid = grid_layout(event=CONFERENCE, day=DAY, rooms=[_room(1), _room(2)], sessions=[], pending={})

    assert grid.rows == 9 * 12
    assert grid.hours[0] == ("09:00", 2)
    assert grid.hours[-1] == ("17:00", 2 + 8 * 12)
    assert [room.pk for room in grid.columns] == [1, 2]
    assert grid.template_columns == "4.2rem repeat(2, minmax(10.5rem, 1fr))"
    assert grid.template_rows == "2.6rem repeat(108, 12px)"


def test_a_session_takes_its_rooms_column_and_one_row_per_five_minutes():
    talk = _session(7, _at(10, 15), 45, room=2, colour="#3056d3")

    (block,) = grid_layout(event=CONFERENCE, day=DAY, rooms=[_room(1), _room(2)], sessions=[talk], pending={}).blocks

    assert (block.column, block.row_start, block.row_end) == (3, 2 + 15, 2 + 24)
    assert (block.start, block.end) == (_at(10, 15), _at(11))
    assert block.change is None
    assert not block.short
    assert block.style == "grid-column: 3; grid-row: 17 / 26; --track: #3056d3;"


def test_sessions_without_a_room_get_a_last_column_and_no_track_a_grey_block():
    hallway = _session(8, _at(12), 30, room=None)

    grid = grid_layout(event=CONFERENCE, day=DAY, rooms=[_room(1)], sessions=[hallway], pending={8: "moved"})

    assert grid.columns[-1] is None
    (block,) = grid.blocks
    assert (block.column, block.short, block.change) == (3, True, "moved")
    assert block.style.endswith("--track: #8a94a6;")


def test_the_day_widens_to_whole_hours_around_early_and_late_sessions():
    early = _session(1, _at(7, 40), 30, room=1)
    late = _session(2, _at(19, 10), 20, room=1)

    grid = grid_layout(event=CONFERENCE, day=DAY, rooms=[_room(1)], sessions=[early, late], pending={})

    assert (grid.hours[0][0], grid.hours[-1][0]) == ("07:00", "19:00")
    assert grid.rows == 13 * 12
    assert [(b.row_start, b.row_end) for b in grid.blocks] == [(2 + 8, 2 + 14), (2 + 12 * 12 + 2, 2 + 12 * 12 + 6)]


def test_an_evening_event_runs_from_its_start_to_its_end():
    evening = _event(_at(19), _at(23))

    grid = grid_layout(event=evening, day=DAY, rooms=[_room(1)], sessions=[], pending={})

    assert [label for label, _ in grid.hours] == ["19:00", "20:00", "21:00", "22:00"]
    assert grid.rows == 4 * 12


def test_a_session_past_midnight_ends_at_the_days_last_row():
    night = _session(3, _at(23), 120, room=1)

    grid = grid_layout(
        event=_event(_at(20), _at(2, day=date(2031, 6, 11))), day=DAY, rooms=[_room(1)], sessions=[night], pending={}
    )

    assert grid.hours[-1][0] == "23:00"
    (block,) = grid.blocks
    assert block.row_end == 2 + grid.rows
