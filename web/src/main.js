// The page: loads the data, builds the map and the panels, and keeps them in step with the
// date shown, the user logged in and the server's version (polled every 3 s).
import { api, apiUrl } from './api.js';
import { t, setLang, getLang, applyStatic, date, parseDate } from './i18n.js';
import { createMap, ParcelTiles, tileUrls, bboxOf, addPageFonts } from './map.js';
import { drawChart } from './chart.js';
import { statusesOf, idleClass } from './config.js';
import { wireExport, openExport } from './export.js';
import { wireReports, renderReports, followDate } from './reports.js';
import { campaignSections, submitCampaignForm, recordOf } from './campaign.js';
import { structuresEditor, wireStructures } from './structures.js';
import { panelShown, panelClosed, panelRedrawing, sliderText, localizeMap } from './a11y.js';
import {
  $, esc, renderWardSummary, filterSegments, sortSegments, renderSegmentList, renderGroupTable,
  renderLegend, segmentDetail, segmentParcelList, groupDetail, parcelDetail, renderPrintSummary, wireLogin,
} from './panels.js';

const POLL_MS = 3000;
// "Today" is the ward's: the server's clock in the ward's zone (Asia/Ho_Chi_Minh, /api/config),
// never the browser's own zone or clock (a phone set to another zone, or a test runner in UTC,
// would otherwise date a report a day off between 17:00 and 24:00 UTC).
const wardClock = { skewMs: 0, offsetMin: 7 * 60 };
function setWardClock(config) {
  const now = Date.parse(config?.now ?? '');
  if (Number.isFinite(now)) wardClock.skewMs = now - Date.now();
  if (Number.isFinite(config?.utc_offset_minutes)) wardClock.offsetMin = config.utc_offset_minutes;
}
const wardToday = () => new Date(Date.now() + wardClock.skewMs + wardClock.offsetMin * 60000).toISOString().slice(0, 10);

/** Segment list rows laid out at once, and added by "more". */
const SEGMENT_ROWS = 300;

const state = {
  config: null,
  me: null,
  today: wardToday(),
  asOf: null,             // null: today (the live state)
  version: null,
  segments: { type: 'FeatureCollection', features: [] },
  segmentsById: new Map(),
  groupRows: [],
  corridors: null,
  progress: [],
  selected: null,         // {kind: 'segment'|'group'|'parcel', id}
  segSort: { key: 'name', dir: 1 },
  segFilter: { q: '', group: '', complete: '' },
  segLimit: SEGMENT_ROWS,  // rows of the segment list laid out (more on demand)
  groupSort: { key: 'name', dir: 1 },
  tab: 'segments',
  members: null,          // the party members (GET /api/org, editors and admins), for the forms
  idle: false,            // the idle-days layer is shown
};

let map = null;
let parcels = null;
let resolveReady;
const ready = new Promise((r) => { resolveReady = r; });
// The first complete frame with the segments colored: the lists wait for it, since
// building 1,600 list rows on the main thread would delay the map by seconds.
let resolveFirstMap;
const firstMap = new Promise((r) => { resolveFirstMap = r; });
// The side panel's lists (the segments' GeoJSON, the group and progress figures), loaded once the
// first map is drawn: the map itself is vector tiles and needs none of them.
let resolveListed;
const listed = new Promise((r) => { resolveListed = r; });

// What the logged-in role may do (GET /api/me's `actions`) and on which households (its
// `scope`: the ward, a secretary's cell, a member's assigned households).
const may = (action) => !!state.me?.actions?.includes(action);
const inScope = (id) => {
  const s = state.me?.scope;
  return !s || s.kind === 'ward' || (s.parcels ?? []).some((p) => String(p) === String(id));
};
const canEdit = (id) => may('record') && (id == null || inScope(id));

// ------------------------------------------------------------------ loading

/** The segments' figures and lines for the lists and panels (the map draws their tiles). */
function setSegments(fc) {
  state.segments = fc;
  state.segmentsById = new Map(fc.features.map((f) => [f.properties.id, f]));
}

function totalsAt(asOf) {
  const s = state.progress;
  if (!s.length) return null;
  if (!asOf) return s[s.length - 1];
  let last = null;
  for (const r of s) { if (r.date <= asOf) last = r; else break; }
  // Before the first change every household stood at the first step (the public's "not yet").
  const first = statusesOf(s[0].households)[0];
  return last ?? { ...s[0], handed_over_area_m2: 0, progress_pct: 0, households: { [first]: s[0].parcels_affected }, complete: false };
}

/** The residential-group figures (table, filter), for the date shown. */
async function loadGroups() {
  state.groupRows = await api.groupSummary(state.asOf);
  fillGroupSelect();
  paintGroups();
}

/**
 * Each group's idle class (of the date shown) for the idle-days layer: a feature state of the group
 * tiles' features, whose id is the group's name.
 */
function paintGroups() {
  if (!map?.getSource('groups')) return;
  for (const r of state.groupRows) {
    if (r.residential_group == null) continue;
    map.setFeatureState({ source: 'groups', sourceLayer: 'groups', id: r.residential_group }, { idle_class: idleClass(r), idle_days: r.idle_days ?? null });
  }
}

/** Shows or hides the idle-days layer (the legend's switch). */
function setIdleLayer(on) {
  state.idle = !!on;
  if (map?.getLayer('group-idle')) map.setLayoutProperty('group-idle', 'visibility', state.idle ? 'visible' : 'none');
  drawLegend();
}

/**
 * Whether the ward has corridors (the legend names them): the corridor tiles of the view say so once
 * they are in (the map draws them from tiles: no whole-ward GeoJSON). Asked at each idle until seen.
 */
function watchCorridors() {
  const look = () => {
    if (state.corridors) return;
    if (map.querySourceFeatures('corridors', { sourceLayer: 'corridors' }).length) {
      state.corridors = true;
      drawLegend();
    }
  };
  map.on('idle', look);
  look();
}

/** The legend: one "not yet" class for visitors, every step for logged-in users. */
function drawLegend() {
  renderLegend($('#legend-body'), { hasCorridors: !!state.corridors, publicView: !state.me, idle: state.idle });
}

async function loadProgress() {
  state.progress = await api.progress();
  setupDateRange();
}

let reloading = 0;
/** Reloads everything shown (on a version change, an edit, a date change). */
async function reloadAll(opts) {
  reloading++;
  try { await reloadAllInner(opts); } finally { reloading--; }
}

/** Resolves when no data request is pending and the map has drawn everything (for tests). */
async function settled() {
  await ready;
  await listed;
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 60));
    await segRendering;
    if (reloading || parcels?.busy()) continue;
    if (!map.loaded() || map.isMoving()) { await new Promise((r) => map.once('idle', r)); continue; }
    if (!reloading && !parcels?.busy()) return;
  }
}

async function reloadAllInner() {
  const v = api.version().then((r) => { state.version = r.version; }).catch(() => {});
  parcels?.invalidate();
  // Each part is shown as soon as it arrives: the segments first, the parcels (the heaviest) last.
  const jobs = [
    // the map's tiles of the new version or date first; the lists' GeoJSON beside them
    v.then(() => parcels?.load()),
    api.segments(state.asOf).then((fc) => {
      setSegments(fc);
      renderSegments();
      if (state.selected?.kind === 'segment') refreshDetail();
    }),
    loadGroups().then(() => {
      renderGroups();
      if (state.selected?.kind === 'group') refreshDetail();
    }),
    loadProgress(),
    v,
  ];
  await Promise.all(jobs);
  renderAll();
  if (state.selected?.kind === 'parcel') await showParcel(state.selected.id, { keepView: true });
}

// ------------------------------------------------------------------ rendering

function renderAll() {
  renderWardSummary($('#ward-summary'), { totals: totalsAt(state.asOf), segments: state.segments });
  renderSegments();
  renderGroups();
  renderChart();
  renderPrint();
  renderPartyTab();
}

// The segments a residential group's parcels donate to (segments name their groups).
async function groupSegmentSet(name) {
  if (!name) return null;
  return new Set(state.segments.features
    .filter((f) => (f.properties.groups ?? []).includes(name))
    .map((f) => f.properties.id));
}

let segRenderSeq = 0;
let segRendering = Promise.resolve();
function renderSegments() {
  segRendering = renderSegmentsInner().catch((e) => toast(`${t('error_load')}: ${e.message}`));
  return segRendering;
}
async function renderSegmentsInner() {
  const seq = ++segRenderSeq;
  const groupSet = await groupSegmentSet(state.segFilter.group);
  if (seq !== segRenderSeq) return;
  const list = sortSegments(filterSegments(state.segments.features, { ...state.segFilter, groupSet }), state.segSort.key, state.segSort.dir);
  renderSegmentList($('#seg-list'), $('#seg-count'), list, state.segments.features.length,
    state.selected?.kind === 'segment' ? state.selected.id : null, state.segLimit);
  $('#seg-dir').innerHTML = `<span aria-hidden="true">${state.segSort.dir > 0 ? '↑' : '↓'}</span><span class="visually-hidden">${esc(t('sort_dir'))}</span>`;
  $('#seg-dir').setAttribute('aria-pressed', String(state.segSort.dir < 0));
}

function renderGroups() {
  renderGroupTable($('#group-table'), state.groupRows, { sortKey: state.groupSort.key, dir: state.groupSort.dir, selected: state.selected?.kind === 'group' ? state.selected.id : null });
}

function renderChart() {
  if (state.tab !== 'chart' && !document.body.classList.contains('printing')) return;
  drawChart($('#chart'), state.progress, { asOf: state.asOf, today: state.today, onPick: (d) => setAsOf(d) });
}

function renderPrint() {
  renderPrintSummary($('#print-summary'), {
    segments: state.segments, groups: state.groupRows, asOf: state.asOf, today: state.today,
    demo: state.config?.demo, totals: totalsAt(state.asOf),
  });
}

function fillGroupSelect() {
  const sel = $('#seg-group');
  const cur = sel.value;
  const names = state.groupRows.map((r) => r.residential_group).sort((a, b) => a.localeCompare(b, 'vi', { numeric: true }));
  sel.innerHTML = `<option value="">${esc(t('all'))}</option>${names.map((n) => `<option value="${esc(n)}">${esc(n)}</option>`).join('')}`;
  sel.value = names.includes(cur) ? cur : '';
}

function renderUser() {
  const u = state.me;
  $('#user-box').textContent = u ? t('logged_in_as', u.name, t(`role_${u.role}`)) : '';
  // a party member's own households, on the phone page (web/field.html)
  $('#field-link').hidden = !u?.scope?.member;
  $('#login-btn').hidden = !!u;
  $('#logout-btn').hidden = !u;
  $('#tab-party').hidden = !u;
  if (!u && state.tab === 'party') selectTab('segments');
  drawLegend();
  renderReports();
  if (!canEdit()) state.members = null;
}

/** The party members for the assignment and contact forms (editors and admins only). */
async function loadMembers() {
  if (!canEdit()) { state.members = null; return; }
  try { state.members = (await api.org()).members ?? []; } catch (e) { console.warn('org', e); state.members = []; }
}

function renderStatic() {
  applyStatic();
  document.title = `${t('title')} — ${t('map')}`;
  const lt = $('#lang-toggle');
  lt.textContent = getLang() === 'vi' ? 'English' : 'Tiếng Việt';
  lt.lang = getLang() === 'vi' ? 'en' : 'vi';
  lt.setAttribute('aria-label', getLang() === 'vi' ? 'Switch to English' : 'Chuyển sang tiếng Việt');
  localizeMap(map);
  $('#sidebar').setAttribute('aria-label', t('skip_to_panels'));
  drawLegend();
  renderAsOfBanner();
  renderUser();
}

function renderAsOfBanner() {
  const b = $('#as-of-banner');
  b.hidden = !state.asOf;
  b.textContent = state.asOf ? t('as_of_banner', date(state.asOf)) : '';
  document.body.classList.toggle('past', !!state.asOf);
}

// ------------------------------------------------------------------ detail panel

function openDetail(html) {
  const d = $('#detail');
  panelRedrawing(d);
  $('#detail-body').innerHTML = html;
  d.hidden = false;
  d.scrollTop = 0;
  panelShown(d, state.selected ? `${state.selected.kind}:${state.selected.id}` : null);
}

function closeDetail() {
  $('#detail').hidden = true;
  state.selected = null;
  highlight();
  const listed = renderSegments();
  renderGroups();
  panelClosed($('#detail'), listed);
}

function highlight() {
  if (!map) return;
  const s = state.selected;
  map.setFilter('segment-selected', ['==', ['get', 'id'], s?.kind === 'segment' ? s.id : -1]);
  map.setFilter('parcel-selected', ['==', ['get', 'id'], s?.kind === 'parcel' ? s.id : -1]);
  map.setFilter('group-selected', ['==', ['get', 'residential_group'], s?.kind === 'group' ? s.id : '']);
}

function refreshDetail() {
  const s = state.selected;
  if (!s) return;
  if (s.kind === 'segment') {
    const f = state.segmentsById.get(s.id);
    if (f) openDetail(segmentDetail(f.properties, { groups: f.properties.groups }));
  } else if (s.kind === 'group') {
    const r = state.groupRows.find((x) => x.residential_group === s.id);
    if (r) openDetail(groupDetail(r));
  }
}

function fitTo(bbox) {
  if (!map || !bbox || !Number.isFinite(bbox[0])) return;
  const wide = window.innerWidth > 760;
  map.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], {
    padding: { top: 40, bottom: 40, left: 40, right: wide && !$('#detail').hidden ? 400 : 40 },
    maxZoom: 18, duration: 600,
  });
}

async function showSegment(id, { zoom = true } = {}) {
  // a segment clicked on the map before the lists came: its figures are in them
  if (!state.segmentsById.has(id)) await listed;
  const f = state.segmentsById.get(id);
  if (!f) return;
  state.selected = { kind: 'segment', id };
  openDetail(segmentDetail(f.properties, { groups: f.properties.groups }));
  highlight();
  renderSegments();
  if (zoom) fitTo(bboxOf(f.geometry));
  loadSegmentParcels(id);
}

/** The segment's parcels as a list in its panel: every parcel reachable without a mouse. */
async function loadSegmentParcels(id) {
  let fc;
  try { fc = await api.parcels({ segment: id, as_of: state.asOf }); } catch { return; }
  if (state.selected?.kind !== 'segment' || state.selected.id !== id) return;
  const host = $('#detail-body');
  host.querySelector('.seg-parcels')?.remove();
  host.insertAdjacentHTML('beforeend', segmentParcelList(fc.features));
  parcelGeom.clear();
  for (const p of fc.features) parcelGeom.set(p.properties.id, p.geometry);
}
const parcelGeom = new Map();

async function showGroup(name, { zoom = true } = {}) {
  const r = state.groupRows.find((x) => x.residential_group === name);
  if (!r) return;
  state.selected = { kind: 'group', id: name };
  openDetail(groupDetail(r));
  highlight();
  renderGroups();
  if (!zoom) return;
  // its outline is in tiles, maybe not loaded: its parcels give its extent
  const fc = await api.parcels({ group: name, as_of: state.asOf });
  if (fc.features.length) fitTo(bboxOf({ coordinates: fc.features.map((f) => f.geometry.coordinates) }));
}

/**
 * What is typed in the parcel panel's forms, and which of them are open: a reload of the panel
 * (another user's edit seen by the polling) must not lose it.
 */
function formState(host) {
  const values = [];
  for (const el of host.querySelectorAll('form input[id], form select[id], form textarea[id]')) {
    if (el.type === 'file') values.push([el.id, 'files', [...el.files]]);
    else if (el.type === 'checkbox' || el.type === 'radio') values.push([el.id, 'checked', el.checked]);
    else values.push([el.id, 'value', el.value]);
  }
  const open = [...host.querySelectorAll('details[id]')].map((d) => [d.id, d.open]);
  const errors = [...host.querySelectorAll('.error[id]')].map((e) => [e.id, e.textContent]);
  return { values, open, errors, focus: host.contains(document.activeElement) ? document.activeElement.id : null };
}

function restoreFormState(host, s) {
  for (const [id, open] of s.open) { const d = host.querySelector(`#${CSS.escape(id)}`); if (d) d.open = open; }
  for (const [id, kind, v] of s.values) {
    const el = host.querySelector(`#${CSS.escape(id)}`);
    if (!el) continue;
    if (kind === 'files') {
      if (!v.length) continue;
      const dt = new DataTransfer();
      for (const file of v) dt.items.add(file);
      el.files = dt.files;
    } else if (kind === 'value' && el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === v)) continue;
    else el[kind] = v;
  }
  for (const [id, text] of s.errors) { const e = host.querySelector(`#${CSS.escape(id)}`); if (e) e.textContent = text; }
  if (s.focus) host.querySelector(`#${CSS.escape(s.focus)}`)?.focus({ preventScroll: true });
}

let lastShown = null; // what the parcel panel was drawn from

/**
 * Opens (or reloads) parcel `id`'s panel. `keepView`: keep the scroll position and what the
 * forms hold; `fresh`: but start the forms afresh (after one of them was saved).
 */
async function showParcel(id, { keepView = false, fresh = false } = {}) {
  state.selected = { kind: 'parcel', id };
  highlight();
  let f;
  let structures;
  try {
    const members = canEdit(id) && !state.members ? loadMembers() : null;
    // Editors record structures on today's state: their list carries versions and last changes.
    const recording = canEdit(id) && !state.asOf ? api.structures(id) : null;
    f = await api.parcel(id, state.asOf);
    await members;
    structures = recording ? (await recording).structures : null;
  } catch (e) {
    toast(`${t('error_load')}: ${e.message}`);
    return;
  }
  if (state.selected?.kind !== 'parcel' || state.selected.id !== id) return;
  const d = $('#detail');
  const host = $('#detail-body');
  const same = !d.hidden && host.firstElementChild?.dataset.parcel === String(id);
  // A reload that brings nothing new leaves the panel alone (what is being typed or clicked in it).
  const shown = JSON.stringify([f, structures, getLang(), state.me?.role, state.asOf, state.today, state.members?.length]);
  if (keepView && same && !fresh && shown === lastShown) return;
  lastShown = shown;
  const kept = keepView && same && !fresh ? formState(host) : null;
  const scroll = keepView ? d.scrollTop : 0;
  const extra = campaignSections(f, { canEdit: canEdit(id), members: state.members, today: state.today });
  const editor = structures ? structuresEditor(structures, { today: state.today }) : null;
  openDetail(`<div class="parcel-panel" data-parcel="${esc(id)}">${parcelDetail(f, { segmentsById: state.segmentsById, canEdit: canEdit(id), asOf: state.asOf, today: state.today, extra, structures: editor })}</div>`);
  if (kept) restoreFormState(host, kept);
  if (structures) {
    wireStructures(host, {
      id, list: structures, today: state.today, toast,
      // the panel first (what was saved), then the totals
      onSaved: async () => { await showParcel(id, { keepView: true, fresh: true }); await reloadAll().catch(showError); },
    });
  }
  d.scrollTop = scroll;
  const form = $('#event-form');
  if (form) {
    form.addEventListener('submit', onEventSubmit);
    form.status.addEventListener('change', syncRecordFields);
    syncRecordFields();
  }
}

/** The donation record's fields show when the new status is `signed`. */
function syncRecordFields() {
  const form = $('#event-form');
  const fs = $('#record-fields');
  if (form && fs) fs.hidden = form.status.value !== 'signed';
}

/** A campaign form of the parcel panel (upload, assignment, contact, grievance, answer). */
async function onCampaignSubmit(ev) {
  const form = ev.target.closest('form[data-action]');
  if (!form) return;
  ev.preventDefault();
  const id = state.selected?.kind === 'parcel' ? state.selected.id : null;
  if (id === null) return;
  const err = form.querySelector('.error');
  const btn = form.querySelector('button[type=submit]');
  err.textContent = '';
  btn.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    const msg = await submitCampaignForm(form, id);
    toast(msg);
  } catch (e) {
    // The panel may have been redrawn meanwhile (polling): the form shown now gets the message.
    const f = document.getElementById(form.id) ?? form;
    f.querySelector('.error').textContent = e.message; // the server's words, as they are
    f.querySelector('button[type=submit]').disabled = false;
    f.removeAttribute('aria-busy');
    return;
  }
  // The panel shows what was saved; the polling of /api/version brings the rest.
  await showParcel(id, { keepView: true, fresh: true });
}

async function onEventSubmit(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  const id = Number(form.dataset.parcel);
  const err = $('#event-error');
  err.textContent = '';
  const occurred = parseDate(form.occurred_on.value);
  if (!occurred) { err.textContent = t('bad_date'); return; }
  const body = { status: form.status.value, occurred_on: occurred };
  if (form.note.value.trim()) body.note = form.note.value.trim();
  if (form.party_member.value.trim()) body.party_member = form.party_member.value.trim();
  try {
    const record = recordOf(form);
    if (record) body.record = record;
  } catch (e) { err.textContent = e.message; return; }
  const btn = $('#event-save');
  btn.disabled = true;
  try {
    await api.addEvent(id, body);
    toast(t('saved'));
  } catch (e) {
    // The panel may have been redrawn meanwhile (polling): the form shown now gets the message.
    ($('#event-error') ?? err).textContent = e.message; // the server's words, as they are
    ($('#event-save') ?? btn).disabled = false;
    return;
  }
  // The parcel first (its new status and history), then everything else.
  await showParcel(id, { keepView: true, fresh: true });
  await reloadAll().catch(showError);
}

function showError(e) {
  console.warn(e);
  toast(`${t('error_load')}: ${e.message}`);
}

// ------------------------------------------------------------------ time

function dayIndex(iso) { return Math.round((Date.parse(`${iso}T00:00:00Z`) - Date.parse(`${rangeStart()}T00:00:00Z`)) / 86400000); }
function rangeStart() { return state.progress[0]?.date ?? state.today; }

function setupDateRange() {
  const r = $('#date-range');
  r.max = String(Math.max(0, dayIndex(state.today)));
  r.value = String(dayIndex(state.asOf ?? state.today));
  $('#date-input').value = date(state.asOf ?? state.today);
  sliderText(r, state.asOf ?? state.today, state.today);
}

async function setAsOf(iso) {
  if (iso && iso >= state.today) iso = null;
  if (iso === state.asOf) { setupDateRange(); return; }
  state.asOf = iso;
  followDate(iso ?? state.today);
  setupDateRange();
  renderAsOfBanner();
  await reloadAll().catch(showError);
}

// ------------------------------------------------------------------ misc UI

let toastTimer;
function toast(msg) {
  const el = $('#toast');
  el.textContent = msg;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 3500);
}

/** The tabs shown: the party's work only to logged-in users. */
const tabs = () => ['segments', 'groups', 'chart', ...(state.me ? ['party'] : [])];

function selectTab(name) {
  if (!tabs().includes(name)) name = 'segments';
  state.tab = name;
  for (const k of ['segments', 'groups', 'chart', 'party']) {
    $(`#tab-${k}`).setAttribute('aria-selected', String(k === name));
    $(`#tab-${k}`).tabIndex = k === name ? 0 : -1;
    $(`#panel-${k}`).hidden = k !== name;
  }
  renderChart();
  renderPartyTab();
}

/** Draws the party tab when it is open (its sections fetch their own data). */
function renderPartyTab({ force = false } = {}) {
  if (state.tab !== 'party' || !state.me) return;
  partyModule().then(({ renderParty }) => renderParty($('#party'), {
    me: state.me, asOf: state.asOf, today: state.today, toast, force,
    refresh: () => renderPartyTab({ force: true }),
  })).catch(showError);
}

// The party tab's modules (a sixth of the page's code) load when the tab first opens: a phone on a
// slow link draws its first map without them. Each section registers itself with party.js.
let partyLoading = null;
function partyModule() {
  partyLoading ??= import('./party.js').then(async (m) => {
    await Promise.all(['org', 'evaluation', 'first', 'plans', 'inspections'].map((k) => import(`./party/${k}.js`)));
    return m;
  });
  return partyLoading;
}

/** The map sheet of the selected residential group or road segment (GET /api/print), or null. */
function sheetUrl() {
  const sel = state.selected;
  if (sel?.kind !== 'group' && sel?.kind !== 'segment') return null;
  const q = new URLSearchParams({ [sel.kind]: String(sel.id) });
  if (state.asOf) q.set('as_of', state.asOf);
  return apiUrl(`/api/print?${q}`);
}

/** Freezes the map as an image for printing (the canvas keeps its drawing buffer). */
function preparePrint() {
  renderPrint();
  $('#print-legend').innerHTML = $('#legend-body').innerHTML;
  try {
    map?.triggerRepaint();
    const url = map?.getCanvas().toDataURL('image/png');
    if (url) $('#print-map').src = url;
  } catch (e) { console.warn('print', e); }
}

function wire() {
  $('#lang-toggle').addEventListener('click', () => {
    setLang(getLang() === 'vi' ? 'en' : 'vi');
    renderStatic();
    fillGroupSelect();
    renderAll();
    if (state.selected?.kind === 'parcel') showParcel(state.selected.id, { keepView: true });
    else refreshDetail();
  });
  $('#print-btn').addEventListener('click', () => {
    // Issue 21: a selected group or segment prints as its map sheet, drawn by the server to scale.
    const url = sheetUrl();
    if (url) window.open(url, '_blank', 'noopener');
    else { preparePrint(); window.print(); }
  });
  window.addEventListener('beforeprint', preparePrint);
  wireLogin(async (user) => {
    state.me = user;
    renderUser();
    await loadMembers();
    await reloadAll().catch(showError);
  });
  $('#logout-btn').addEventListener('click', async () => {
    await api.logout().catch(() => {});
    setLang(getLang()); // the logout's Clear-Site-Data dropped the saved language with the field data
    state.me = null;
    renderUser();
    await reloadAll().catch(showError);
  });
  $('#detail-close').addEventListener('click', closeDetail);
  $('#legend-body').addEventListener('change', (e) => {
    if (e.target.id !== 'idle-toggle') return;
    setIdleLayer(e.target.checked);
    $('#idle-toggle')?.focus();
  });
  $('#detail-body').addEventListener('submit', onCampaignSubmit);
  $('#detail-body').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-parcel]');
    if (!b) return;
    const id = Number(b.dataset.parcel);
    const g = parcelGeom.get(id);
    if (g) map.fitBounds(bboxOf(g), { maxZoom: 19.5, padding: 80, duration: 0 });
    showParcel(id);
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !$('#detail').hidden && !$('#login-dialog').open && !$('#export-dialog').open) closeDetail();
  });
  // "Tải về cho trắc địa": from the ward totals, a segment's or a group's panel.
  wireExport({ isLoggedIn: () => !!state.me, getAsOf: () => state.asOf });
  wireReports({ role: () => state.me?.role ?? null, today: () => state.today });
  document.addEventListener('click', (e) => {
    const b = e.target.closest('button.export-open');
    if (!b) return;
    const kind = b.dataset.export;
    const id = b.dataset.exportId;
    if (kind === 'segment') openExport({ kind, id, name: state.segmentsById.get(Number(id))?.properties.name });
    else if (kind === 'group') openExport({ kind, id });
    else openExport({ kind: 'ward' });
  });
  $('#seg-list').addEventListener('click', (e) => {
    if (e.target.closest('button[data-more]')) {
      state.segLimit += SEGMENT_ROWS;
      renderSegments();
      return;
    }
    const b = e.target.closest('button[data-id]');
    if (b) showSegment(Number(b.dataset.id));
  });
  $('#group-table').addEventListener('click', (e) => {
    const s = e.target.closest('button[data-sort]');
    if (s) {
      const k = s.dataset.sort;
      state.groupSort = { key: k, dir: state.groupSort.key === k ? -state.groupSort.dir : (k === 'name' ? 1 : -1) };
      renderGroups();
      $(`#group-table button[data-sort="${k}"]`)?.focus();
      return;
    }
    const g = e.target.closest('button[data-group]');
    if (g) showGroup(g.dataset.group);
  });
  let searchTimer;
  $('#seg-search').addEventListener('input', (e) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { state.segFilter.q = e.target.value; renderSegments(); }, 80);
  });
  $('#seg-group').addEventListener('change', (e) => { state.segFilter.group = e.target.value; renderSegments(); });
  $('#seg-complete').addEventListener('change', (e) => { state.segFilter.complete = e.target.value; renderSegments(); });
  $('#seg-sort').addEventListener('change', (e) => {
    state.segSort = { key: e.target.value, dir: e.target.value === 'name' ? 1 : -1 };
    renderSegments();
  });
  $('#seg-dir').addEventListener('click', () => { state.segSort.dir = -state.segSort.dir; renderSegments(); });
  for (const k of ['segments', 'groups', 'chart', 'party']) $(`#tab-${k}`).addEventListener('click', () => selectTab(k));
  $('.tabs').addEventListener('keydown', (e) => {
    const order = tabs();
    const i = order.indexOf(state.tab);
    const k = order.length;
    const n = e.key === 'ArrowRight' ? (i + 1) % k : e.key === 'ArrowLeft' ? (i + k - 1) % k : -1;
    if (n >= 0) { selectTab(order[n]); $(`#tab-${order[n]}`).focus(); }
  });
  const di = $('#date-input');
  const applyDate = () => {
    const iso = parseDate(di.value);
    if (!iso) { toast(t('bad_date')); setupDateRange(); return; }
    setAsOf(iso);
  };
  di.addEventListener('change', applyDate);
  di.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); applyDate(); } });
  const range = $('#date-range');
  const isoAt = (i) => new Date(Date.parse(`${rangeStart()}T00:00:00Z`) + i * 86400000).toISOString().slice(0, 10);
  range.addEventListener('input', () => { di.value = date(isoAt(Number(range.value))); sliderText(range, isoAt(Number(range.value)), state.today); });
  range.addEventListener('change', () => setAsOf(isoAt(Number(range.value))));
  $('#date-today').addEventListener('click', () => setAsOf(null));
}

function wireMap() {
  map.on('click', (e) => {
    const { x, y } = e.point;
    const box = [[x - 4, y - 4], [x + 4, y + 4]];
    const seg = map.queryRenderedFeatures(box, { layers: ['segment-line'] })[0];
    if (seg) { showSegment(seg.properties.id, { zoom: false }); return; }
    const par = map.queryRenderedFeatures(e.point, { layers: ['parcel-fill'] })[0];
    if (par) { showParcel(par.properties.id); return; }
    const grp = map.queryRenderedFeatures(e.point, { layers: ['group-fill'] })[0];
    if (grp) { showGroup(grp.properties.residential_group, { zoom: false }); return; }
  });
  for (const l of ['segment-line', 'parcel-fill']) {
    map.on('mouseenter', l, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', l, () => { map.getCanvas().style.cursor = ''; });
  }
}

// ------------------------------------------------------------------ start


async function poll() {
  try {
    const { version } = await api.version();
    if (state.version && version !== state.version) {
      state.version = version;
      await reloadAll(); // the tiles' URLs carry the version: new geometry comes with them
      window.hiendat.reloads++;
    } else state.version = version;
    // Past midnight in the ward: the controls and defaults move to the new day.
    if (wardToday() !== state.today) {
      state.today = wardToday();
      if (!state.asOf) followDate(state.today);
      setupDateRange();
      renderAll();
    }
  } catch { /* the server may be restarting: try again next time */ }
  setTimeout(poll, POLL_MS);
}

async function start() {
  setLang(getLang());
  renderStatic();
  if (window.innerWidth <= 760) $('#legend').open = false;
  const boot = window.__boot ?? {};
  const config = await Promise.resolve(boot.config).then((x) => x ?? api.config());
  // Several wards, none chosen (issue 18): the province view compares them (web/src/province.js).
  if (config.view === 'province') {
    const { bootProvince } = await import('./province.js');
    window.hiendat.province = await bootProvince({ config, me: await Promise.resolve(boot.me).then((x) => x ?? api.me()), toast });
    return;
  }
  // A ward of several: the way back to the province view.
  $('#province-link').hidden = !((config.wards?.length ?? 0) > 1);
  // The ward's clock before anything shows a date (the reports form dates itself when wired):
  // the browser's own clock may be on another day than the ward's.
  setWardClock(config);
  state.today = wardToday();
  wire();
  const me = await Promise.resolve(boot.me).then((x) => x ?? api.me());
  state.config = config;
  state.version = config.version;
  state.me = me?.user ?? null;
  $('#demo-badge').hidden = !config.demo;
  document.body.classList.toggle('demo', !!config.demo);
  renderUser();
  // (the map worker: index.html fetches it; the Worker joins that download through the HTTP cache)
  map = createMap({
    container: 'map',
    config,
    tiles: tileUrls({ version: state.version, asOf: state.asOf, user: state.me?.name }),
    onReady: () => {
      highlight();
      resolveReady();
      map.once('idle', () => {
        // The first meaningful map: segments colored (the benchmark reads this).
        window.hiendat.firstMapMs = performance.now();
        resolveFirstMap();
        addPageFonts();
        watchCorridors();
        parcels.load();
      });
    },
  });
  window.hiendat.map = map;
  parcels = new ParcelTiles(map, {
    getAsOf: () => state.asOf,
    getVersion: () => state.version,
    getUser: () => state.me?.name,
    onZoomHint: (show) => { $('#zoom-hint').hidden = !show; },
  });
  window.hiendat.parcels = parcels;
  wireMap();
  await firstMap;
  try {
    await Promise.all([
      api.segments(state.asOf).then((fc) => { setSegments(fc); renderSegments(); }),
      loadGroups(),
      loadProgress(),
    ]);
    renderAll();
  } finally {
    resolveListed();
  }
  setTimeout(poll, POLL_MS);
}

/** Back to the first view: whole ward, nothing selected (used by tests and the Escape key). */
function resetView() {
  if (!$('#detail').hidden) closeDetail();
  selectTab('segments');
  map?.fitBounds(state.config.bounds, { padding: 24, duration: 0 });
}

window.hiendat = {
  resetView,
  map: null, parcels: null, state, ready, listed, reloads: 0,
  reloadAll, settled, setAsOf, preparePrint, sheetUrl, showSegment, showParcel, showGroup, t, wardToday, setIdleLayer,
};

start().catch((e) => {
  console.error(e);
  toast(`${t('error_load')}: ${e.message}`);
});
