// Times: in the event's zone by default (what the venue's clocks say), in the phone's on request.
import { locale } from "./i18n.js";
import { state } from "./state.js";

const formats = new Map();

function fmt(zone, options) {
  const key = zone + JSON.stringify(options);
  if (!formats.has(key)) formats.set(key, new Intl.DateTimeFormat(locale(), { ...options, timeZone: zone }));
  return formats.get(key);
}

export function zoneFor(event) {
  return state.phoneZone ? Intl.DateTimeFormat().resolvedOptions().timeZone : event?.timezone || "UTC";
}

export function clock(iso, zone) {
  return fmt(zone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
}

export function dayKey(iso, zone) {
  // YYYY-MM-DD in the zone, for grouping by day.
  const parts = fmt(zone, { year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date(iso));
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

export function dayLabel(iso, zone) {
  return fmt(zone, { weekday: "short", day: "numeric", month: "short" }).format(new Date(iso));
}

export function dateRange(start, end, zone) {
  const f = fmt(zone, { day: "numeric", month: "short", year: "numeric" });
  const a = f.format(new Date(start));
  const b = f.format(new Date(end));
  return a === b ? a : `${a} – ${b}`;
}

export function span(session, zone) {
  return `${clock(session.start, zone)}–${clock(session.end, zone)}`;
}

export function localTime(ms) {
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(ms));
}
