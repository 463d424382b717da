import { applyColours, $, html, mount } from "../lib/dom.js";
import { conflicts, lookup, statusLabel } from "../lib/agenda.js";
import { saveNote, setBookmarked } from "../lib/data.js";
import { t } from "../lib/i18n.js";
import { emit, state } from "../lib/state.js";
import { dayLabel, span, zoneFor } from "../lib/time.js";

const safeUrl = (url) => (/^https?:\/\//i.test(url || "") ? url : "");

// One session: the facts redraw in place when the stream changes it; the note field is left
// alone while the attendee types.
export default {
  title: () => t("Session"),
  async render(main, ctx) {
    const id = Number(ctx.params.session);
    mount(
      main,
      html`<p><a href="#/e/${ctx.eventId}/agenda">← ${t("Agenda")}</a></p>
      <article id="facts" aria-live="polite"></article>
      <form id="note-form" class="card">
        <div class="field"><label for="note">${t("My private note")}</label><textarea id="note" name="text" rows="4"></textarea></div>
        <div class="actions"><button type="submit">${t("Save note")}</button><span class="saved" role="status" id="note-status"></span></div>
      </form>`,
    );
    const note = $("#note", main);
    note.value = state.bundle.notes.find((n) => n.session === id)?.text || "";
    let saved = false;
    const showStatus = () => {
      if (saved) $("#note-status", main).textContent = state.pending ? t("Saved on this phone; it syncs when you are online.") : t("Saved.");
    };
    $("#note-form", main).addEventListener("submit", async (e) => {
      e.preventDefault();
      saved = true;
      await saveNote(id, note.value);
      showStatus();
    });
    ctx.on("net", showStatus);

    function draw() {
      const b = state.bundle;
      const session = b.sessions.find((s) => s.id === id);
      if (!session) {
        mount($("#facts", main), html`<h1>${t("Session not found")}</h1>`);
        return;
      }
      const maps = lookup(b);
      const zone = zoneFor(b.event);
      const room = maps.rooms.get(session.room);
      const track = maps.tracks.get(session.track);
      const marked = b.bookmarks.includes(id);
      const clash = conflicts(b).get(id);
      const status = statusLabel(session.status);
      mount(
        $("#facts", main),
        html`<h1>${session.title}</h1>
        ${status ? html`<p class="status-banner ${session.status}">${status}</p>` : ""}
        <dl class="facts">
          <dt>${t("When")}</dt><dd id="when">${dayLabel(session.start, zone)}, ${span(session, zone)} <span class="muted">(${zone})</span>
            <button type="button" class="link" id="zone">${state.phoneZone ? t("Show the event's time") : t("Show my phone's time")}</button></dd>
          <dt>${t("Room")}</dt><dd id="room">${room ? html`${room.name}${room.floor ? ` · ${room.floor}` : ""}` : t("No room")}</dd>
          ${track ? html`<dt>${t("Track")}</dt><dd><span class="chip" data-colour="${track.colour}">${track.name}</span></dd>` : ""}
          ${session.speakers.length ? html`<dt>${t("Speakers")}</dt><dd><ul class="inline">${session.speakers.map((sid) => maps.speakers.get(sid)).filter(Boolean).map((sp) => html`<li><a href="#/e/${b.event.id}/speakers/${sp.id}">${sp.name}</a></li>`)}</ul></dd>` : ""}
          ${safeUrl(session.materials_url) ? html`<dt>${t("Materials")}</dt><dd><a href="${safeUrl(session.materials_url)}" rel="noopener noreferrer" target="_blank">${t("Slides and materials")}</a></dd>` : ""}
          ${safeUrl(session.recording_url) ? html`<dt>${t("Recording")}</dt><dd><a href="${safeUrl(session.recording_url)}" rel="noopener noreferrer" target="_blank">${t("Watch the recording")}</a></dd>` : ""}
        </dl>
        ${clash ? html`<p class="conflict">${t("Conflicts with %(titles)s", { titles: clash.map((c) => maps.sessions.get(c)?.title).join(", ") })}</p>` : ""}
        <button type="button" id="bookmark" aria-pressed="${String(marked)}">${marked ? t("★ In my agenda") : t("☆ Add to my agenda")}</button>
        ${session.abstract ? html`<h2>${t("About")}</h2><p class="abstract">${session.abstract}</p>` : ""}`,
      );
      $("#bookmark", main).addEventListener("click", () => setBookmarked(id, !state.bundle.bookmarks.includes(id)));
      $("#zone", main).addEventListener("click", () => {
        state.phoneZone = !state.phoneZone;
        emit("zone");
        draw();
      });
      applyColours(main);
    }
    draw();
    ctx.onBundle((detail) => {
      draw();
      // Another device saved this note: show it unless the attendee is typing here.
      const entry = detail.entry;
      if (entry?.type === "note.saved" && entry.data.session === id && document.activeElement !== note) note.value = entry.data.text;
    });
  },
};
