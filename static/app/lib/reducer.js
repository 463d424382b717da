// The stream reducer of docs/realtime.md ("Offline bundle"): entries of event:<id> and
// user:<me>, applied in seq order, keep a bundle equal to a fresh one. Returns "refetch" when
// the table says to fetch a new bundle.
function replace(list, item) {
  const i = list.findIndex((x) => x.id === item.id);
  if (i >= 0) list[i] = item;
  else list.push(item);
}

const sortSessions = (list) => list.sort((a, b) => a.start.localeCompare(b.start) || a.id - b.id);

export function applyEntry(bundle, entry) {
  const data = entry.data || {};
  const eventId = bundle.event.id;
  switch (entry.type) {
    case "session.created":
    case "session.updated":
    case "session.cancelled":
      replace(bundle.sessions, data.session);
      sortSessions(bundle.sessions);
      return "applied";
    case "room.created":
    case "room.updated":
      replace(bundle.rooms, data.room);
      return "applied";
    case "room.deleted":
      bundle.rooms = bundle.rooms.filter((r) => r.id !== data.room.id);
      return "applied";
    case "track.created":
    case "track.updated":
      replace(bundle.tracks, data.track);
      return "applied";
    case "speaker.created":
    case "speaker.updated":
      replace(bundle.speakers, data.speaker);
      return "applied";
    case "announcement.posted":
      if (!bundle.announcements.some((a) => a.id === data.announcement.id)) bundle.announcements.unshift(data.announcement);
      return "applied";
    case "schedule.published": {
      const first = bundle.schedule_version === null;
      bundle.schedule_version = data.version;
      return first ? "refetch" : "applied";
    }
    case "event.updated":
      return "refetch";
    case "bookmark.added":
      if (data.event === eventId && !bundle.bookmarks.includes(data.session)) {
        bundle.bookmarks.push(data.session);
        bundle.bookmarks.sort((a, b) => a - b);
      }
      return "applied";
    case "bookmark.removed":
      if (data.event === eventId) bundle.bookmarks = bundle.bookmarks.filter((id) => id !== data.session);
      return "applied";
    case "note.saved":
      if (data.event === eventId) setNote(bundle, data.session, data.text);
      return "applied";
    default:
      return "message";
  }
}

export function setNote(bundle, sessionId, text) {
  bundle.notes = bundle.notes.filter((n) => n.session !== sessionId);
  if (text) {
    bundle.notes.push({ session: sessionId, text });
    bundle.notes.sort((a, b) => a.session - b.session);
  }
}

export function setBookmark(bundle, sessionId, on) {
  bundle.bookmarks = bundle.bookmarks.filter((id) => id !== sessionId);
  if (on) bundle.bookmarks.push(sessionId);
  bundle.bookmarks.sort((a, b) => a - b);
}
