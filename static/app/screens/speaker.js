import { html, mount } from "../lib/dom.js";
import { lookup, sessionRow } from "../lib/agenda.js";
import { t } from "../lib/i18n.js";
import { state } from "../lib/state.js";
import { bindBookmarks } from "./agenda.js";

const safeUrl = (url) => (/^https?:\/\//i.test(url || "") ? url : "");

export default {
  title: () => t("Speaker"),
  async render(main, ctx) {
    const id = Number(ctx.params.speaker);
    function draw() {
      const b = state.bundle;
      const speaker = b.speakers.find((s) => s.id === id);
      if (!speaker) {
        mount(main, html`<h1>${t("Speaker not found")}</h1>`);
        return;
      }
      const maps = lookup(b);
      const sessions = b.sessions.filter((s) => s.speakers.includes(id));
      mount(
        main,
        html`<p><a href="#/e/${b.event.id}/agenda">← ${t("Agenda")}</a></p>
        <div class="speaker-head">
          ${speaker.photo ? html`<img class="avatar large" src="${speaker.photo}" alt="">` : html`<span class="avatar large empty" aria-hidden="true">${speaker.name.slice(0, 1)}</span>`}
          <div><h1>${speaker.name}</h1><p class="muted">${[speaker.job_title, speaker.company].filter(Boolean).join(", ")}</p></div>
        </div>
        ${speaker.bio ? html`<p class="abstract">${speaker.bio}</p>` : ""}
        ${speaker.links.length ? html`<ul class="inline">${speaker.links.filter((l) => safeUrl(l.url)).map((l) => html`<li><a href="${safeUrl(l.url)}" rel="noopener noreferrer" target="_blank">${l.label}</a></li>`)}</ul>` : ""}
        <h2>${t("Sessions")}</h2>
        <ul class="sessions" id="list">${sessions.map((s) => sessionRow(s, { bundle: b, maps }))}</ul>`,
      );
    }
    draw();
    bindBookmarks(main);
    ctx.onBundle(draw);
  },
};
