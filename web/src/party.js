// The "Công tác Đảng / Party work" tab: the party's own side of the campaign, one section
// per part (đảng viên đi trước, plans, inspections, evaluation, commendation, organisation),
// each drawn by its own module under ./party/. Shown to logged-in users only; each section
// decides from the role what it shows and the server checks it again.
import { t, getLang } from './i18n.js';

/** The sections, in the order shown: { id, title (an i18n key), render(el, ctx), ward }. */
const SECTIONS = [];

/**
 * Adds a section; `render(el, ctx)` fills `el` (a <section>) and may be async. A `ward` section
 * lists the whole ward's party (the organisation, đi trước, the evaluation): not shown to a
 * scoped role (a cell secretary, a party member), whom the server refuses it.
 */
export function registerPartySection(id, title, render, { ward = false } = {}) {
  SECTIONS.push({ id, title, render, ward });
}

/** Redraws every section into `root` for `ctx` = { me, asOf, today, toast, refresh }. */
export async function renderParty(root, ctx) {
  if (!ctx.me) { root.innerHTML = ''; return; }
  const wardWide = (ctx.me.scope?.kind ?? 'ward') === 'ward';
  const shown = SECTIONS.filter((s) => wardWide || !s.ward);
  const key = JSON.stringify([ctx.me.name, ctx.me.role, ctx.asOf, ctx.today, getLang(), shown.map((s) => s.id)]);
  if (root.dataset.shown === key && !ctx.force) return;
  root.dataset.shown = key;
  for (const s of SECTIONS) if (!shown.includes(s)) root.querySelector(`#party-${s.id}`)?.remove();
  const els = shown.map((s) => {
    let el = root.querySelector(`#party-${s.id}`);
    if (!el) {
      el = document.createElement('section');
      el.id = `party-${s.id}`;
      el.className = 'party-section';
      root.append(el);
    }
    return [s, el];
  });
  await Promise.all(els.map(async ([s, el]) => {
    try {
      await s.render(el, ctx);
    } catch (e) {
      el.innerHTML = `<h3>${t(s.title)}</h3><p class="error" role="alert"></p>`;
      el.querySelector('.error').textContent = e.message ?? String(e);
    }
  }));
}
