// The province view (issue 18): on a database with several wards, `/` compares them. The map
// shows each ward's outline coloured by its progress (the segments' colour ramp) with its name;
// the side panel a sortable table of the wards' figures (GET /api/wards, computed by the server's
// read model: nothing is tallied here); the date control replays a past day as on a ward page.
// A click on a row or an outline opens the ward's own page (/w/{code}/).
import { api } from './api.js';
import { t, setLang, getLang, applyStatic, date, parseDate, num, pct, compareNames } from './i18n.js';
import { maplibregl, buildStyle, addPageFonts } from './map.js';
import { PROGRESS_STOPS, progressColor, rgbCss, BACKGROUND } from './config.js';
import { sliderText, mapLocale, localizeMap } from './a11y.js';
import { $, esc, wireLogin } from './panels.js';

const POLL_MS = 3000;
/** How far back the date slider reaches (the typed date may go further). */
const SLIDER_DAYS = 365;
const EMPTY = { type: 'FeatureCollection', features: [] };

const lineWidth = ['case', ['boolean', ['feature-state', 'hover'], false], 3.5, 1.4];
const progressColorExpr = ['interpolate', ['linear'], ['coalesce', ['get', 'progress_pct'], 0], ...PROGRESS_STOPS.flat()];

/** The columns of the table: key, title, the value it sorts by. */
const COLUMNS = [
  ['name', 'col_ward', (w) => w.name],
  ['progress', 'col_ward_progress', (w) => w.progress_pct ?? 0],
  ['handed', 'col_ward_handed', (w) => w.handed_over_area_m2 ?? 0],
  ['households', 'col_ward_households', (w) => w.households?.handed_over ?? 0],
  ['segments', 'col_ward_segments', (w) => (w.segments ? (w.segments_complete ?? 0) / w.segments : 0)],
  ['lagging', 'col_ward_lagging', (w) => (w.lagging?.groups ?? 0) + (w.lagging?.segments ?? 0)],
  ['first', 'col_ward_first', (w) => w.first?.share ?? -1],
];

const bar = (p) => `<span class="bar" aria-hidden="true"><span style="width:${Math.max(0, Math.min(100, p ?? 0))}%;background:${rgbCss(progressColor(p))}"></span></span>`;
const count = (x) => num(x ?? 0, 0);

/** The table of wards (the rows sorted by `sort`); `first` columns only when the server sent them. */
export function wardTable(data, { sort = { key: 'name', dir: 1 } } = {}) {
  const wards = data?.wards ?? [];
  const withFirst = wards.some((w) => w.first);
  const cols = COLUMNS.filter(([k]) => k !== 'first' || withFirst);
  const val = Object.fromEntries(cols.map(([k, , v]) => [k, v]));
  const by = val[sort.key] ? sort.key : 'name';
  const rows = [...wards].sort((a, b) => sort.dir * (by === 'name' ? compareNames(a.name, b.name) : (val[by](a) - val[by](b)) || compareNames(a.name, b.name)));
  const head = cols.map(([k, label]) => {
    const s = k === by ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none';
    return `<th scope="col" aria-sort="${s}" class="c-${k}"><button type="button" data-sort="${k}">${esc(t(label))}${k === by ? (sort.dir > 0 ? ' ▲' : ' ▼') : ''}</button></th>`;
  }).join('');
  const cells = (w, total = false) => {
    const h = w.households ?? {};
    const lag = w.lagging;
    return [
      `<td class="num c-progress">${pct(w.progress_pct)}${bar(w.progress_pct)}</td>`,
      `<td class="num c-handed">${num(w.handed_over_area_m2, 1)}<span class="of muted"> / ${num(w.donated_area_m2, 1)}</span></td>`,
      `<td class="num c-households" title="${esc(t('ward_households_title', count(h.agreed), count(h.signed), count(h.handed_over), count(w.parcels_affected)))}">${count(h.agreed)} / ${count(h.signed)} / ${count(h.handed_over)}</td>`,
      `<td class="num c-segments">${w.segments != null ? `${count(w.segments_complete)} / ${count(w.segments)}` : ''}</td>`,
      `<td class="num c-lagging"${lag ? ` title="${esc(t('ward_lagging_title', count(lag.groups), count(lag.segments), count(lag.lag_days)))}"` : ''}>${lag ? `${count(lag.groups)} / ${count(lag.segments)}` : ''}</td>`,
      ...(withFirst ? [`<td class="num c-first"${w.first?.families ? ` title="${esc(t('ward_first_title', count(w.first.went_first), count(w.first.families)))}"` : ''}>${
        w.first?.families ? `${count(w.first.went_first)}/${count(w.first.families)}${w.first.share != null ? ` <span class="muted">(${pct(w.first.share * 100)})</span>` : ''}` : '—'}</td>`] : []),
    ].join('');
  };
  const body = rows.map((w) => `<tr data-ward="${esc(w.code)}" data-url="${esc(w.url)}">
      <th scope="row" class="c-name"><a class="ward-link" href="${esc(w.url)}" aria-label="${esc(t('ward_open', w.name))}">${esc(w.name)}</a>${w.town ? `<span class="muted town">${esc(w.town)}</span>` : ''}</th>
      ${cells(w)}
    </tr>`).join('');
  const tot = data?.totals;
  const foot = tot ? `<tr class="total"><th scope="row" class="c-name">${esc(t('province_total'))}</th>${cells(tot, true)}</tr>` : '';
  return `<thead><tr>${head}</tr></thead><tbody>${body}</tbody><tfoot>${foot}</tfoot>`;
}

/** A ward's outline, or its extent as a rectangle when it has none yet (dashed on the map). */
function wardFeatures(data, outlines) {
  const byCode = new Map((outlines?.features ?? []).map((f) => [f.properties?.code, f]));
  const out = [];
  for (const w of data?.wards ?? []) {
    const props = { code: w.code, name: w.name, url: w.url, progress_pct: w.progress_pct ?? 0, label: `${w.name}\n${pct(w.progress_pct)}` };
    const f = byCode.get(w.code);
    if (f?.geometry) out.push({ type: 'Feature', id: w.code, geometry: f.geometry, properties: props });
    else if (Array.isArray(w.bounds) && w.bounds.length === 4) {
      const [a, b, c, d] = w.bounds;
      out.push({ type: 'Feature', id: w.code, geometry: { type: 'Polygon', coordinates: [[[a, b], [c, b], [c, d], [a, d], [a, b]]] }, properties: { ...props, approx: true } });
    }
  }
  return { type: 'FeatureCollection', features: out };
}

/** A point inside each ward's largest polygon (its centroid), for its name. */
function labelPoints(fc) {
  const out = [];
  for (const f of fc.features ?? []) {
    const g = f.geometry;
    if (!g) continue;
    const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
    let best = null;
    for (const p of polys) {
      const ring = p[0];
      let a = 0; let cx = 0; let cy = 0;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const k = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
        a += k; cx += (ring[j][0] + ring[i][0]) * k; cy += (ring[j][1] + ring[i][1]) * k;
      }
      if (a !== 0 && (!best || Math.abs(a) > best.a)) best = { a: Math.abs(a), c: [cx / (3 * a), cy / (3 * a)] };
    }
    if (best) out.push({ type: 'Feature', geometry: { type: 'Point', coordinates: best.c }, properties: { residential_group: f.properties.residential_group } });
  }
  return { type: 'FeatureCollection', features: out };
}

/** The map's style: the office's base map (if any) under the wards' outlines and names. */
function provinceStyle(config) {
  const ward = buildStyle({ basemap: config.basemap }); // its font faces and base map
  const basemapLayers = ward.layers.filter((l) => l.source === 'basemap');
  return {
    version: 8,
    'font-faces': ward['font-faces'],
    sources: {
      ...(ward.sources.basemap ? { basemap: ward.sources.basemap } : {}),
      wards: { type: 'geojson', data: EMPTY, promoteId: 'code' },
      'ward-labels': { type: 'geojson', data: EMPTY },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': BACKGROUND } },
      ...basemapLayers,
      { id: 'ward-fill', type: 'fill', source: 'wards', paint: { 'fill-color': progressColorExpr, 'fill-opacity': ['case', ['boolean', ['feature-state', 'hover'], false], 0.8, 0.55] } },
      { id: 'ward-line', type: 'line', source: 'wards', filter: ['!=', ['get', 'approx'], true], paint: { 'line-color': '#1d2b36', 'line-width': lineWidth } },
      // a ward with no outline yet: its extent, dashed
      { id: 'ward-extent', type: 'line', source: 'wards', filter: ['==', ['get', 'approx'], true], paint: { 'line-color': '#1d2b36', 'line-width': lineWidth, 'line-dasharray': [3, 2] } },
      {
        id: 'ward-label', type: 'symbol', source: 'ward-labels',
        layout: {
          'text-field': ['get', 'label'], 'text-font': ['Noto Sans Bold'], 'text-size': 13, 'text-max-width': 10,
          'text-padding': 4, 'text-allow-overlap': false,
        },
        paint: { 'text-color': '#13212b', 'text-halo-color': 'rgba(255,255,255,0.92)', 'text-halo-width': 1.8 },
      },
    ],
  };
}

/** The union of the wards' extents (the province's when the config has none). */
function boundsOf(config, data) {
  if (Array.isArray(config.bounds) && config.bounds.every(Number.isFinite)) return config.bounds;
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const w of data?.wards ?? []) {
    if (!Array.isArray(w.bounds)) continue;
    b[0] = Math.min(b[0], w.bounds[0]); b[1] = Math.min(b[1], w.bounds[1]);
    b[2] = Math.max(b[2], w.bounds[2]); b[3] = Math.max(b[3], w.bounds[3]);
  }
  return b.every(Number.isFinite) ? b : [102, 8, 110, 23.5]; // Việt Nam, when nothing is known yet
}

const isoAdd = (iso, days) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86400000).toISOString().slice(0, 10);
const dayDiff = (a, b) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);

/**
 * Starts the province view in the page (index.html's top bar, map and side panel). `config` is
 * GET /api/config's answer (`view: "province"`), `me` GET /api/me's. Returns a handle for tests.
 */
export async function bootProvince({ config, me, toast }) {
  const state = {
    config, me: me?.user ?? null, today: config.today ?? new Date().toISOString().slice(0, 10),
    asOf: null, data: null, outlines: null, version: config.version ?? null,
    sort: { key: 'name', dir: 1 }, loading: 0,
  };
  document.body.classList.add('province-view');
  // The ward page's parts that the province has not: its lists, reports, tabs, detail, print.
  for (const el of $('#sidebar').children) el.hidden = true;
  for (const id of ['#print-btn', '#field-link', '#detail', '#zoom-hint', '#province-link']) $(id).hidden = true;
  $('#ward-name').removeAttribute('data-i18n');
  $('#sidebar').insertAdjacentHTML('beforeend', `<section class="province-panel" id="province-panel" aria-labelledby="province-h">
      <h2 id="province-h"></h2>
      <p class="province-totals" id="province-totals"></p>
      <p class="hint" id="province-hint"></p>
      <div class="table-wrap"><table class="wards" id="ward-table"></table></div>
    </section>`);

  const map = new maplibregl.Map({
    container: 'map',
    style: config.basemap?.kind === 'style' && config.basemap.url ? config.basemap.url : provinceStyle(config),
    bounds: boundsOf(config, null),
    fitBoundsOptions: { padding: 24 },
    maxZoom: 18,
    canvasContextAttributes: { preserveDrawingBuffer: true, antialias: false },
    attributionControl: config.basemap ? { compact: true } : false,
    dragRotate: false,
    pitchWithRotate: false,
    localIdeographFontFamily: false,
    locale: mapLocale(),
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
  const styleLoaded = new Promise((resolve) => map.once('style.load', () => {
    const own = provinceStyle(config);
    if (config.basemap?.kind === 'style') {
      // A base map style from the office: the wards go on top of it.
      map.setFontFaces(own['font-faces']);
      for (const [id, s] of Object.entries(own.sources)) if (!map.getSource(id)) map.addSource(id, s);
      for (const l of own.layers) if (l.id !== 'background' && !map.getLayer(l.id)) map.addLayer(l);
    }
    resolve();
  }));
  map.once('idle', addPageFonts);
  Object.assign(window.hiendat, { map, settled, setAsOf });

  // ---------------------------------------------------------------- drawing

  function renderStatic() {
    applyStatic();
    document.title = `${t('province_title', config.province)} — ${t('title')}`;
    const lt = $('#lang-toggle');
    lt.textContent = getLang() === 'vi' ? 'English' : 'Tiếng Việt';
    lt.lang = getLang() === 'vi' ? 'en' : 'vi';
    lt.setAttribute('aria-label', getLang() === 'vi' ? 'Switch to English' : 'Chuyển sang tiếng Việt');
    $('#ward-name').textContent = `${t('province_title', config.province)} · ${t('province_subtitle')}`;
    $('#sidebar').setAttribute('aria-label', t('province_table'));
    $('#province-h').textContent = t('province_table');
    $('#province-hint').textContent = t('province_hint');
    $('#legend-body').innerHTML = `<h3>${esc(t('province_legend'))}</h3>
      <div class="ramp" style="background:linear-gradient(90deg, ${PROGRESS_STOPS.map(([, c]) => c).join(',')})"></div>
      <div class="ramp-labels">${PROGRESS_STOPS.map(([p]) => `<span>${p} %</span>`).join('')}</div>`;
    localizeMap(map);
    renderUser();
    renderBanner();
  }

  function renderUser() {
    const u = state.me;
    $('#user-box').textContent = u ? t('logged_in_as', u.name, t(`role_${u.role}`)) : '';
    $('#login-btn').hidden = !!u;
    $('#logout-btn').hidden = !u;
  }

  function renderBanner() {
    const b = $('#as-of-banner');
    b.hidden = !state.asOf;
    b.textContent = state.asOf ? t('as_of_banner', date(state.asOf)) : '';
    document.body.classList.toggle('past', !!state.asOf);
  }

  function renderTable() {
    const d = state.data;
    const n = d?.wards?.length ?? 0;
    $('#province-totals').innerHTML = d ? `${esc(t('province_wards', n))}${d.totals ? ` · <b>${pct(d.totals.progress_pct)}</b> ${bar(d.totals.progress_pct)}` : ''}` : '';
    const focused = document.activeElement?.closest?.('#ward-table button[data-sort]')?.dataset.sort;
    $('#ward-table').innerHTML = wardTable(d, { sort: state.sort });
    if (focused) $(`#ward-table button[data-sort="${focused}"]`)?.focus();
  }

  async function renderMap() {
    await styleLoaded;
    const fc = wardFeatures(state.data, state.outlines);
    map.getSource('wards')?.setData(fc);
    // The names at a point inside each outline (map.js's label points, keyed by the ward's code).
    const pts = labelPoints({ features: fc.features.map((f) => ({ ...f, properties: { residential_group: f.properties.code } })) });
    const byCode = new Map(fc.features.map((f) => [f.properties.code, f.properties]));
    map.getSource('ward-labels')?.setData({
      type: 'FeatureCollection',
      features: pts.features.map((p) => ({ ...p, properties: byCode.get(p.properties.residential_group) })),
    });
  }

  function setupDateRange() {
    const r = $('#date-range');
    const start = isoAdd(state.today, -SLIDER_DAYS);
    r.max = String(SLIDER_DAYS);
    r.value = String(Math.max(0, Math.min(SLIDER_DAYS, dayDiff(start, state.asOf ?? state.today))));
    $('#date-input').value = date(state.asOf ?? state.today);
    sliderText(r, state.asOf ?? state.today, state.today);
  }

  // ---------------------------------------------------------------- data

  async function load({ outlines = false } = {}) {
    state.loading++;
    try {
      const asked = state.asOf;
      const [data, fc] = await Promise.all([
        api.wards(state.asOf),
        outlines ? api.wardOutlines().catch((e) => { console.warn('outlines', e); return null; }) : state.outlines,
      ]);
      if (asked !== state.asOf) return; // a newer date was asked meanwhile
      state.data = data;
      if (outlines) state.outlines = fc;
      renderTable();
      await renderMap();
    } finally { state.loading--; }
  }

  async function setAsOf(iso) {
    if (iso && iso >= state.today) iso = null;
    state.asOf = iso;
    setupDateRange();
    renderBanner();
    await load().catch(showError);
  }

  function showError(e) {
    console.warn(e);
    toast(`${t('error_load')}: ${e.message}`);
  }

  async function poll() {
    try {
      const { version } = await api.version();
      if (state.version && version !== state.version) { state.version = version; await load(); } else state.version = version;
    } catch { /* the server may be restarting: try again next time */ }
    setTimeout(poll, POLL_MS);
  }

  // ---------------------------------------------------------------- events

  const open = (url) => { if (url) location.assign(url); };
  $('#ward-table').addEventListener('click', (e) => {
    const s = e.target.closest('button[data-sort]');
    if (s) {
      const k = s.dataset.sort;
      state.sort = { key: k, dir: state.sort.key === k ? -state.sort.dir : (k === 'name' ? 1 : -1) };
      renderTable();
      return;
    }
    if (e.target.closest('a')) return; // the link goes there itself (and keeps ctrl-click)
    open(e.target.closest('tbody tr[data-url]')?.dataset.url);
  });
  let hovered = null;
  const hover = (code) => {
    if (hovered === code) return;
    if (hovered && map.getSource('wards')) map.setFeatureState({ source: 'wards', id: hovered }, { hover: false });
    hovered = code;
    if (code && map.getSource('wards')) map.setFeatureState({ source: 'wards', id: code }, { hover: true });
    for (const tr of document.querySelectorAll('#ward-table tbody tr')) tr.classList.toggle('hover', tr.dataset.ward === code);
  };
  $('#ward-table').addEventListener('mouseover', (e) => hover(e.target.closest('tbody tr[data-ward]')?.dataset.ward ?? null));
  $('#ward-table').addEventListener('mouseleave', () => hover(null));
  $('#ward-table').addEventListener('focusin', (e) => hover(e.target.closest('tbody tr[data-ward]')?.dataset.ward ?? null));
  map.on('mousemove', 'ward-fill', (e) => { map.getCanvas().style.cursor = 'pointer'; hover(e.features?.[0]?.properties.code ?? null); });
  map.on('mouseleave', 'ward-fill', () => { map.getCanvas().style.cursor = ''; hover(null); });
  map.on('click', 'ward-fill', (e) => open(e.features?.[0]?.properties.url));

  $('#lang-toggle').addEventListener('click', () => {
    setLang(getLang() === 'vi' ? 'en' : 'vi');
    renderStatic();
    renderTable();
    renderMap();
  });
  wireLogin(async (user) => {
    state.me = user;
    // A ward's own user: `/` is now that ward's page.
    if ((await api.config()).view !== 'province') { location.reload(); return; }
    renderUser();
    await load(); // a reader of party data sees "đảng viên đi trước"
  });
  $('#logout-btn').addEventListener('click', async () => {
    await api.logout().catch(() => {});
    setLang(getLang());
    state.me = null;
    renderUser();
    await load().catch(showError);
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
  const isoAt = (i) => isoAdd(state.today, Number(i) - SLIDER_DAYS);
  range.addEventListener('input', () => { di.value = date(isoAt(range.value)); sliderText(range, isoAt(range.value), state.today); });
  range.addEventListener('change', () => setAsOf(isoAt(range.value)));
  $('#date-today').addEventListener('click', () => setAsOf(null));

  // ---------------------------------------------------------------- start

  $('#demo-badge').hidden = !config.demo;
  document.body.classList.toggle('demo', !!config.demo);
  renderStatic();
  setupDateRange();
  await load({ outlines: true });
  if (!config.bounds) map.fitBounds(boundsOf(config, state.data), { padding: 24, duration: 0 });
  setTimeout(poll, POLL_MS);

  /** Resolves when no request is pending and the map has drawn (for tests). */
  async function settled() {
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 60));
      if (state.loading) continue;
      if (!map.loaded() || map.isMoving()) { await new Promise((r) => map.once('idle', r)); continue; }
      return;
    }
  }
  return { state, map, settled, setAsOf, load };
}
