"""The schedule grid's layout: which days an event has, and where each session's block goes on one
day (CSS grid: one column per room, one row per 5 minutes).

Pure: no database, no request. It lays out the objects it is given — an event (``start``,
``end``, ``tz``), rooms (``pk``) and sessions (``pk``, ``start``, ``end``, ``room_id``,
``track``) — so the page's view reads them through the selectors and this is unit-tested alone
(``events/tests/test_grid.py``)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

SLOT_MINUTES = 5
ROW_PX = 12  # agenda.css draws the hour lines every 12 rows (144px): keep the two in step
DEFAULT_DAY_HOURS = (9, 18)
NO_TRACK_COLOUR = "#8a94a6"


def event_days(event: Any) -> list[date]:
    """Every calendar day the event touches, in its zone (an end at midnight is not a day more)."""
    tz = event.tz
    first, last = event.start.astimezone(tz).date(), (event.end - timedelta(microseconds=1)).astimezone(tz).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass
class Block:
    session: Any
    column: int
    row_start: int
    row_end: int
    start: datetime
    end: datetime
    change: str | None  # the unpublished change, if any

    @property
    def short(self) -> bool:
        return self.row_end - self.row_start <= 6  # 30 minutes or less

    @property
    def style(self) -> str:
        colour = self.session.track.colour if self.session.track else NO_TRACK_COLOUR
        return f"grid-column: {self.column}; grid-row: {self.row_start} / {self.row_end}; --track: {colour};"


@dataclass
class Grid:
    day: date
    columns: list[Any]
    """The rooms, then ``None`` ("no room") when a session of the day has none."""
    hours: list[tuple[str, int]]
    """Each full hour's label and grid row."""
    blocks: list[Block]
    rows: int
    lanes: list[int] = field(default_factory=list)
    first: datetime | None = None
    """The moment of the first row (in the event's zone): the editor maps a drop's height to a
    time from it, and draws the "now" line."""

    @property
    def slot_minutes(self) -> int:
        return SLOT_MINUTES

    @property
    def row_px(self) -> int:
        return ROW_PX

    @property
    def template_columns(self) -> str:
        return f"4.2rem repeat({len(self.columns)}, minmax(10.5rem, 1fr))"

    @property
    def template_rows(self) -> str:
        return f"2.6rem repeat({self.rows}, {ROW_PX}px)"


def grid_layout(
    *,
    event: Any,
    day: date,
    rooms: Sequence[Any],
    sessions: Sequence[Any],
    pending: dict[int, str],
    tray: bool = False,
) -> Grid:
    """The grid of ``day``: ``sessions`` are those starting that day, ``pending`` maps a session
    id to its unpublished change. Columns are the rooms (plus "no room" if a session of the day
    has none, or always with ``tray``: the editor's unscheduled tray, where a session dropped
    loses its room); rows are 5-minute slots from the day's first to its last hour — at least 9–18,
    within the event, widened to every session of the day."""
    tz = event.tz
    day_start = datetime.combine(day, time.min, tzinfo=tz)
    day_end = day_start + timedelta(days=1)
    columns: list[Any] = list(rooms)
    if tray or any(s.room_id is None for s in sessions):
        columns.append(None)
    column_of = {(room.pk if room else None): index + 2 for index, room in enumerate(columns)}

    open_at = max(event.start.astimezone(tz), day_start + timedelta(hours=DEFAULT_DAY_HOURS[0]))
    close_at = min(event.end.astimezone(tz), day_start + timedelta(hours=DEFAULT_DAY_HOURS[1]))
    if close_at <= open_at:  # an evening event, or its last morning
        open_at, close_at = max(event.start.astimezone(tz), day_start), min(event.end.astimezone(tz), day_end)
    first = min([open_at, *(s.start.astimezone(tz) for s in sessions)])
    last = max([close_at, *(min(s.end.astimezone(tz), day_end) for s in sessions)])
    first = first.replace(minute=0, second=0, microsecond=0)
    if last.minute or last.second or last.microsecond:
        last = last.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    last = min(last, day_end)
    rows = max(1, int((last - first).total_seconds() // 60 // SLOT_MINUTES))

    def row(moment: datetime) -> int:
        minutes = (min(max(moment, first), last) - first).total_seconds() / 60
        return 2 + int(minutes // SLOT_MINUTES)

    blocks = [
        Block(
            session=s,
            column=column_of[s.room_id],
            row_start=row(s.start.astimezone(tz)),
            row_end=max(row(s.start.astimezone(tz)) + 1, row(s.end.astimezone(tz))),
            start=s.start.astimezone(tz),
            end=s.end.astimezone(tz),
            change=pending.get(s.pk),
        )
        for s in sessions
    ]
    hours = []
    moment = first
    while moment < last:
        hours.append((f"{moment:%H:%M}", row(moment)))
        moment += timedelta(hours=1)
    return Grid(day=day, columns=columns, hours=hours, blocks=blocks, rows=rows, first=first)
