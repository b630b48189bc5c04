// "Báo cáo / Reports" in the sidebar: the periodic reports of GET /api/reports as Excel, A4 HTML
// (printed from a new tab) or CSV, for a date or a period, by one cut or all of them; editors and
// admins also freeze a report as issued (POST /api/reports/frozen). The list of frozen reports
// (GET /api/reports/frozen) links their files.
//
// The periodic report (by=periodic, editors and admins: it speaks of the party cells) is the
// Party's document: its generated text (GET /api/reports/periodic) is shown in text boxes for the
// office to edit; "Xem trước / Preview" (POST /api/reports/preview) opens the page as it would be
// frozen, and "Chốt / Freeze" keeps the edited text with the report. "In" prints the generated
// text; its official print is Vietnamese only, the bilingual box asks for the screen version.
//
// Who sees which cuts mirrors the server (src/api/reports.rs: check_access): party cells and
// party members are for editors and admins only, so anonymous visitors and viewers are offered
// the public cuts, and their "all" asks for those only; the internal commendation list (every
// donor named) is for logged-in users.
import { api, apiUrl } from './api.js';
import { t, num, date, parseDate, parseNumber } from './i18n.js';
import { $, esc } from './panels.js';

export const CUTS = ['segment', 'group', 'cell', 'member', 'lagging', 'commendation', 'exemplary'];
const SENSITIVE = new Set(['cell', 'member']);
export const PUBLIC_ALL = CUTS.filter((c) => !SENSITIVE.has(c)).join(',');
const DEFAULT_LAG_DAYS = 30;
const PERIODIC = 'periodic';

let ctx = null;            // set by wireReports
let touchedDate = false;   // the user typed a date: the page's date no longer moves it
let running = false;
let draft = null;          // the periodic report's text as edited: { key, number, sections, recipients, signer }

const sensitiveOk = () => ['editor', 'admin'].includes(ctx.role());
const loggedIn = () => !!ctx.role();

/** The cuts `by` asks for (by=all: all six; the periodic report shows the lagging areas). */
const cutsOf = (by) => (by === 'all' ? CUTS : by === PERIODIC ? [PERIODIC, 'lagging'] : by.split(','));

/** The form's body for the current role and language; keeps what was chosen. */
export function renderReports() {
  const host = $('#reports-body');
  if (!host || !ctx) return;
  const prev = readRaw();
  readDraft();
  const cuts = CUTS.filter((c) => sensitiveOk() || !SENSITIVE.has(c));
  const allValue = sensitiveOk() ? 'all' : PUBLIC_ALL;
  const choices = sensitiveOk() ? [...cuts, PERIODIC] : cuts;
  const by = prev && (prev.by === 'all' || prev.by === PUBLIC_ALL ? allValue : choices.includes(prev.by) ? prev.by : allValue);
  host.innerHTML = `
    <form id="report-form" class="report-form" novalidate>
      <div class="report-dates">
        <label><span>${t('report_as_of')}</span>
          <input id="report-as-of" name="as_of" inputmode="numeric" autocomplete="off" placeholder="dd/mm/yyyy" value="${esc(prev?.asOf ?? date(ctx.today()))}"></label>
        <label><span>${t('report_from')}</span>
          <input id="report-from" name="from" inputmode="numeric" autocomplete="off" placeholder="dd/mm/yyyy" value="${esc(prev?.from ?? '')}"
            title="${esc(t('report_from_hint'))}"></label>
      </div>
      <label><span>${t('report_cut')}</span>
        <select id="report-by" name="by">
          <option value="${allValue}">${esc(t('cut_all'))}</option>
          ${choices.map((c) => `<option value="${c}">${esc(t(`cut_${c}`))}</option>`).join('')}
        </select></label>
      ${sensitiveOk() ? '' : `<p class="hint report-note">${t('report_public_note')}</p>`}
      <label id="report-lag-row"><span>${t('report_lag_days')}</span>
        <input id="report-lag-days" name="lag_days" inputmode="numeric" autocomplete="off" value="${esc(prev?.lagDays ?? DEFAULT_LAG_DAYS)}"></label>
      <fieldset id="report-commendation" class="report-commendation">
        <legend>${t('cut_commendation')}</legend>
        <label><span>${t('report_min_area')}</span>
          <input id="report-min-area" name="min_area" inputmode="decimal" autocomplete="off" placeholder="${t('example')} 20" value="${esc(prev?.minArea ?? '')}"></label>
        <label><span>${t('report_min_value')}</span>
          <input id="report-min-value" name="min_value" inputmode="numeric" autocomplete="off" placeholder="${t('example')} 50.000.000" value="${esc(prev?.minValue ?? '')}"></label>
        ${loggedIn() ? `<label class="check"><input type="checkbox" id="report-internal" name="internal"${prev?.internal ? ' checked' : ''}>
          <span>${t('report_internal')}<small class="hint">${t('report_internal_hint')}</small></span></label>` : ''}
      </fieldset>
      ${sensitiveOk() ? `<fieldset id="report-periodic" class="report-commendation report-periodic" hidden>
        <legend>${t('report_periodic_legend')}</legend>
        <p class="hint report-note">${t('report_periodic_hint')}</p>
        <label><span>${t('report_number')}</span>
          <input id="report-number" inputmode="numeric" autocomplete="off" maxlength="20"></label>
        <div id="report-parts" class="report-parts"></div>
        <label><span>${t('report_recipients')}</span><textarea id="report-recipients" rows="4"></textarea></label>
        <label><span>${t('report_signer')}</span><input id="report-signer" autocomplete="off" maxlength="200"></label>
        <label class="check"><input type="checkbox" id="report-bilingual"${prev?.bilingual ? ' checked' : ''}><span>${t('report_bilingual')}</span></label>
        <button type="button" class="btn" id="report-regenerate">${t('report_regenerate')}</button>
      </fieldset>` : ''}
      <div class="report-actions">
        <button type="button" class="btn" id="report-xlsx" data-format="xlsx">${t('report_xlsx')}</button>
        <button type="button" class="btn" id="report-html" data-format="html">${t('report_print')}</button>
        <button type="button" class="btn" id="report-csv" data-format="csv">${t('report_csv')}</button>
        <button type="button" class="btn" id="report-docx" data-format="docx">Word (.docx)</button>
        ${sensitiveOk() ? `<button type="button" class="btn" id="report-preview" hidden>${t('report_preview')}</button>
        <button type="button" class="btn primary" id="report-freeze">${t('report_freeze')}</button>` : ''}
      </div>
      <p class="report-status" id="report-status" role="status" aria-live="polite"></p>
      <p class="error" id="report-error" role="alert"></p>
    </form>
    <h3>${t('frozen_title')}</h3>
    <ul class="plain frozen-list" id="frozen-list"></ul>`;
  $('#report-by').value = by ?? allValue;
  sync();
  renderFrozen();
}

/** The inputs as typed (to keep them across a re-render). */
function readRaw() {
  const f = $('#report-form');
  if (!f) return null;
  return {
    asOf: f.as_of.value, from: f.from.value, by: f.by.value, lagDays: f.lag_days.value,
    minArea: f.min_area.value, minValue: f.min_value.value, internal: !!f.internal?.checked,
    bilingual: !!$('#report-bilingual')?.checked,
  };
}

/** Shows the options that belong to the cut chosen. */
function sync() {
  const cuts = cutsOf($('#report-by').value);
  $('#report-lag-row').hidden = !cuts.includes('lagging');
  $('#report-commendation').hidden = !cuts.includes('commendation') && !cuts.includes('exemplary');
  // the exemplary collectives and individuals are commended monthly ("biểu dương kịp thời"):
  // a period from the first of the month of the date asked for, unless one is typed
  const f = $('#report-form');
  if ($('#report-by').value === 'exemplary' && !f.from.value.trim()) {
    const asOf = parseDate(f.as_of.value);
    if (asOf) f.from.value = date(`${asOf.slice(0, 8)}01`);
  }
  const periodic = cuts.includes(PERIODIC);
  if ($('#report-periodic')) {
    $('#report-periodic').hidden = !periodic;
    $('#report-preview').hidden = !periodic;
    if (periodic) {
      if (draft) fillDraft();
      else loadText().catch((e) => { $('#report-error').textContent = e.message; });
    }
  }
}

// ------------------------------------------------------------------ the periodic report's text

/** The dates the text was generated for: a new choice of dates asks for new text. */
function textKey() {
  const f = $('#report-form');
  return `${f.as_of.value}|${f.from.value}|${f.lag_days.value}`;
}

/** The generated text for the form's dates, into the boxes (edits are replaced). */
async function loadText() {
  const q = reportQuery('html');
  const params = { as_of: q.as_of, from: q.from };
  if (q.lag_days) params.lag_days = q.lag_days;
  const r = await api.periodicText(params);
  const p = r.periodic;
  draft = {
    key: textKey(),
    number: p.number ?? '',
    sections: p.sections.map((s) => ({ heading: s.heading, text: s.paragraphs.join('\n') })),
    recipients: p.recipients.join('\n'),
    signer: p.signer_name ?? '',
  };
  fillDraft();
}

function fillDraft() {
  $('#report-number').value = draft.number;
  $('#report-recipients').value = draft.recipients;
  $('#report-signer').value = draft.signer;
  $('#report-parts').innerHTML = draft.sections.map((s, i) => `
    <div class="report-part" data-part="${i}">
      <label><span>${t('report_heading', i + 1)}</span><input class="part-heading" maxlength="200" value="${esc(s.heading)}"></label>
      <label><span>${t('report_text', i + 1)}</span><textarea class="part-text" rows="6">${esc(s.text)}</textarea></label>
    </div>`).join('');
}

/** The boxes as typed, kept across a re-render. */
function readDraft() {
  if (!draft || !$('#report-parts')) return;
  draft.number = $('#report-number').value;
  draft.recipients = $('#report-recipients').value;
  draft.signer = $('#report-signer').value;
  draft.sections = [...document.querySelectorAll('#report-parts .report-part')].map((d) => ({
    heading: d.querySelector('.part-heading').value, text: d.querySelector('.part-text').value,
  }));
}

/** The edits as the freeze and preview bodies carry them (one paragraph per line). */
function periodicEdit() {
  readDraft();
  const lines = (s) => s.split('\n').map((l) => l.trim()).filter(Boolean);
  return {
    number: draft.number.trim(),
    sections: draft.sections.map((s) => ({ heading: s.heading.trim(), paragraphs: lines(s.text) })),
    recipients: lines(draft.recipients),
    signer_name: draft.signer.trim(),
  };
}

/** The body of a freeze or preview for the form. */
function freezeBody() {
  const q = reportQuery('xlsx');
  const body = { by: q.by, as_of: q.as_of };
  if (q.from) body.from = q.from;
  for (const k of ['lag_days', 'min_area', 'min_value']) if (q[k] !== undefined) body[k] = Number(q[k]);
  if (q.by === PERIODIC && draft) {
    // the text was written for other dates: its figures are not this report's (the edits are
    // kept until the user asks for new text)
    if (draft.key !== textKey()) throw new Error(t('report_text_stale'));
    body.periodic = periodicEdit();
  }
  return body;
}

/** The page the freeze would keep, in a new tab (nothing is kept). */
async function preview() {
  const body = freezeBody();
  const tab = window.open('', '_blank');
  busy(true, t('report_preparing'));
  try {
    const blob = await api.previewReport(body);
    const url = URL.createObjectURL(blob);
    if (tab) { tab.opener = null; tab.location.replace(url); } else window.open(url, '_blank');
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    busy(false, t('report_opened'));
  } catch (e) {
    tab?.close();
    busy(false);
    throw e;
  }
}

/** The query of GET /api/reports for the form, or throws a message for the user. */
export function reportQuery(format) {
  const f = $('#report-form');
  const asOf = parseDate(f.as_of.value);
  if (!asOf) throw new Error(`${t('report_as_of')}: ${t('bad_date')}`);
  let from = null;
  if (f.from.value.trim()) {
    from = parseDate(f.from.value);
    if (!from) throw new Error(`${t('report_from')}: ${t('bad_date')}`);
  }
  const by = f.by.value;
  const cuts = cutsOf(by);
  const q = { by, format, as_of: asOf, from };
  if (cuts.includes('lagging')) {
    const lag = parseNumber(f.lag_days.value);
    if (lag === null || !Number.isInteger(lag)) throw new Error(t('bad_number', t('report_lag_days')));
    if (lag !== DEFAULT_LAG_DAYS) q.lag_days = String(lag);
  }
  if (cuts.includes('commendation') || cuts.includes('exemplary')) {
    for (const [input, key, label] of [[f.min_area, 'min_area', 'report_min_area'], [f.min_value, 'min_value', 'report_min_value']]) {
      if (!input.value.trim()) continue;
      const v = parseNumber(input.value);
      if (v === null || (key === 'min_value' && !Number.isInteger(v))) throw new Error(t('bad_number', t(label)));
      q[key] = String(v);
    }
    if (f.internal?.checked) q.internal = '1';
  }
  if (by === PERIODIC && format === 'html' && $('#report-bilingual')?.checked) q.bilingual = '1';
  return q;
}

function busy(on, message = '') {
  running = on;
  $('#report-form')?.setAttribute('aria-busy', String(on));
  for (const b of document.querySelectorAll('#report-form .report-actions .btn')) b.disabled = on;
  $('#report-status').textContent = message;
}

/** Excel or CSV: fetched, then saved under the server's file name. */
async function download(format) {
  const q = reportQuery(format);
  busy(true, t('report_preparing'));
  try {
    const { blob, name } = await api.reportFile(q);
    const file = name || `bao-cao.${format}`;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = file;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    busy(false, t('report_done', file, num(blob.size / 1024, 1)));
  } catch (e) {
    busy(false);
    throw e;
  }
}

/**
 * The A4 HTML in a new tab: the tab is opened at the click (so no pop-up blocker stops it), the
 * report is asked for, and the tab goes to it; on a refusal the tab closes and the message shows.
 */
async function printVersion() {
  const q = reportQuery('html');
  const tab = window.open('', '_blank');
  busy(true, t('report_preparing'));
  try {
    await api.reportFile(q);
    const url = api.reportUrl(q);
    if (tab) { tab.opener = null; tab.location.replace(url); } else window.open(url, '_blank');
    busy(false, t('report_opened'));
  } catch (e) {
    tab?.close();
    busy(false);
    throw e;
  }
}

async function freeze() {
  const body = freezeBody();
  busy(true, t('report_preparing'));
  try {
    const r = await api.freezeReport(body);
    busy(false, t('report_frozen', r.id));
    await loadFrozen();
  } catch (e) {
    busy(false);
    throw e;
  }
}

// ------------------------------------------------------------------ frozen reports

let frozen = null;

export async function loadFrozen() {
  try {
    frozen = (await api.frozenReports()).reports ?? [];
  } catch (e) {
    frozen = null;
    if ($('#frozen-list')) $('#frozen-list').innerHTML = `<li class="error">${esc(e.message)}</li>`;
    return;
  }
  renderFrozen();
}

function cutLabels(by) {
  if (by === 'all') return t('cut_all');
  if (by === PERIODIC) return t('cut_periodic');
  return by.split(',').map((c) => (CUTS.includes(c) ? t(`cut_${c}`) : c)).join(', ');
}

function renderFrozen() {
  const host = $('#frozen-list');
  if (!host || !frozen) return;
  if (!frozen.length) { host.innerHTML = `<li class="muted">${t('frozen_none')}</li>`; return; }
  host.innerHTML = frozen.map((r) => {
    const restricted = (r.by === PERIODIC || cutsOf(r.by).some((c) => SENSITIVE.has(c))) && !sensitiveOk();
    const period = r.from ? t('period_range', date(r.from), date(r.as_of)) : t('period_as_of', date(r.as_of));
    const base = apiUrl(`/api/reports/frozen/${encodeURIComponent(r.id)}`);
    return `<li data-frozen="${esc(r.id)}">
      <span class="frozen-when">${t('frozen_issued', date(r.issued_on))}</span>
      <b class="frozen-title">${esc(r.title)}</b>
      <span class="muted">${esc(cutLabels(r.by))} · ${period}</span>
      ${restricted ? `<span class="hint">${t('frozen_restricted')}</span>`
        : `<span class="frozen-links"><a href="${base}?format=xlsx" download>xlsx</a> · <a href="${base}?format=docx" download>Word</a> · <a href="${base}?format=html" target="_blank" rel="noopener">HTML</a></span>`}
    </li>`;
  }).join('');
}

// ------------------------------------------------------------------ wiring

/** The page's date moved: the report's date follows unless the user typed one. */
export function followDate(iso) {
  const i = $('#report-as-of');
  if (i && !touchedDate) i.value = date(iso);
}

/**
 * Wires the section once: `role()` gives the user's role (null: anonymous), `today()` the
 * page's today (YYYY-MM-DD).
 */
export function wireReports({ role, today }) {
  ctx = { role, today };
  const host = $('#reports-body');
  host.addEventListener('change', (e) => {
    if (e.target.id === 'report-by') sync();
    if (e.target.id === 'report-as-of') touchedDate = true;
    $('#report-error').textContent = '';
  });
  host.addEventListener('input', (e) => { if (e.target.closest('#report-periodic')) readDraft(); });
  host.addEventListener('click', async (e) => {
    if (e.target.id === 'report-regenerate' && !running) {
      $('#report-error').textContent = '';
      try { await loadText(); } catch (err) { $('#report-error').textContent = err.message; }
      return;
    }
    const b = e.target.closest('#report-form .report-actions .btn');
    if (!b || running) return;
    $('#report-error').textContent = '';
    $('#report-status').textContent = '';
    try {
      if (b.id === 'report-freeze') await freeze();
      else if (b.id === 'report-preview') await preview();
      else if (b.dataset.format === 'html') await printVersion();
      else await download(b.dataset.format);
    } catch (err) {
      $('#report-error').textContent = err.message; // the server's words, as they are
    }
  });
  // The list is loaded each time the section is opened (most visits never open it).
  $('#reports').addEventListener('toggle', () => { if ($('#reports').open) loadFrozen(); });
  renderReports();
}
