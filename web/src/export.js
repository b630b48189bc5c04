// "Tải về cho trắc địa / Download for surveyors": a dialog that builds a GET /api/export URL
// for the whole ward, one segment or one residential group, and saves the server's file.
// The rules of the server (src/export.rs: check_request) are mirrored here so that an invalid
// combination cannot be chosen: gpkg, dxf and kml hold several layers, the others one; kml and
// geojson are WGS84 only, csv and dxf VN-2000 only; owners' names only for a logged-in user.
import { api } from './api.js';
import { t, num } from './i18n.js';
import { $, esc } from './panels.js';

export const FORMATS = ['gpkg', 'shp', 'dxf', 'kml', 'geojson', 'csv'];
export const LAYERS = ['parcels', 'strips', 'corridors', 'centerlines', 'edges', 'stakes'];
const MANY_LAYERS = new Set(['gpkg', 'dxf', 'kml']);
const WGS84_ONLY = new Set(['kml', 'geojson']);
const PROJECTED_ONLY = new Set(['csv', 'dxf']);
const EXTENSION = { gpkg: 'gpkg', shp: 'zip', dxf: 'dxf', kml: 'kml', geojson: 'geojson', csv: 'csv' };
const DEFAULT_INTERVAL_M = 10;

// The choices, kept while the page is open (a surveyor exports several segments in a row).
const choice = { format: 'gpkg', layers: ['parcels', 'strips'], crs: 'vn2000', interval: DEFAULT_INTERVAL_M, personal: false };
let scope = { kind: 'ward' };
let loggedIn = () => false;
let viewedDate = () => null;
let running = null; // the AbortController of the download in progress

/** The CRS a format is written in unless another is chosen: WGS84 for KML and GeoJSON, VN-2000 for the rest. */
export function defaultCrs(format) {
  return WGS84_ONLY.has(format) ? 'wgs84' : 'vn2000';
}

const CRS_SHORT = { vn2000: 'VN-2000', wgs84: 'WGS84' };

/** Is `crs` ('vn2000' | 'wgs84') allowed for `format`? */
export function crsAllowed(format, crs) {
  return crs === 'wgs84' ? !PROJECTED_ONLY.has(format) : !WGS84_ONLY.has(format);
}

/** Brings the choices in line with the format's rules (the UI never offers an invalid request). */
function normalize() {
  if (!MANY_LAYERS.has(choice.format) && choice.layers.length > 1) choice.layers = [choice.layers[0]];
  if (!MANY_LAYERS.has(choice.format) && !choice.layers.length) choice.layers = ['parcels'];
  if (!crsAllowed(choice.format, choice.crs)) choice.crs = choice.crs === 'wgs84' ? 'vn2000' : 'wgs84';
}

/** The query of GET /api/export for the current choices and scope. */
export function exportQuery() {
  const q = { format: choice.format, layers: LAYERS.filter((l) => choice.layers.includes(l)).join(',') };
  if (scope.kind === 'segment') q.segment = String(scope.id);
  if (scope.kind === 'group') q.group = scope.id;
  // VN-2000: the server's default (the CRS the ward was measured in), so no crs is sent.
  if (choice.crs === 'wgs84' && !WGS84_ONLY.has(choice.format)) q.crs = 'EPSG:4326';
  if (choice.layers.includes('stakes') && choice.interval !== DEFAULT_INTERVAL_M) q.interval = String(choice.interval);
  if (choice.personal && loggedIn() && choice.layers.includes('parcels')) q.personal = '1';
  return q;
}

function scopeLabel() {
  if (scope.kind === 'segment') return `${t('segment_no')} ${esc(scope.id)} — ${esc(scope.name ?? '')}`;
  if (scope.kind === 'group') return esc(scope.id);
  return t('ward_total');
}

/** The dialog's body for the current language; `sync` then sets what is enabled and checked. */
function render() {
  const many = MANY_LAYERS.has(choice.format);
  $('#export-body').innerHTML = `
    <p class="export-scope"><span class="muted">${t('export_scope')}:</span> <b id="export-scope">${scopeLabel()}</b></p>
    <fieldset class="export-formats">
      <legend>${t('export_format')}</legend>
      ${FORMATS.map((f) => `<label class="opt"><input type="radio" name="format" value="${f}"${f === choice.format ? ' checked' : ''}>
        <span><b>${esc(t(`fmt_${f}`))}</b><small>${esc(t(`fmt_${f}_desc`))}</small><small class="fmt-crs" data-format="${f}"></small></span></label>`).join('')}
    </fieldset>
    <fieldset class="export-layers">
      <legend id="export-layers-legend">${many ? t('export_layers_many') : t('export_layers_one')}</legend>
      ${LAYERS.map((l) => `<label class="opt-inline"><input type="${many ? 'checkbox' : 'radio'}" name="layer" value="${l}"> <span>${esc(t(`layer_${l}`))}</span></label>`).join('')}
    </fieldset>
    <fieldset class="export-crs">
      <legend>${t('export_crs')}</legend>
      <label class="opt-inline"><input type="radio" name="crs" value="vn2000"> <span>${t('crs_vn2000')}</span></label>
      <label class="opt-inline"><input type="radio" name="crs" value="wgs84"> <span>${t('crs_wgs84')}</span></label>
      <p class="hint" id="export-crs-note"></p>
    </fieldset>
    <label class="export-interval" id="export-interval-row"><span>${t('export_interval')}</span>
      <input type="number" id="export-interval" name="interval" min="1" max="1000" step="any" inputmode="decimal" required value="${choice.interval}"></label>
    ${loggedIn() ? `<label class="opt-inline export-personal"><input type="checkbox" id="export-personal" name="personal"${choice.personal ? ' checked' : ''}>
      <span>${t('export_personal')}<small class="hint" id="export-personal-note"></small><small class="hint export-privacy">${t('export_personal_privacy')}</small></span></label>` : ''}
    ${viewedDate() ? `<p class="hint">${t('export_current_only')}</p>` : ''}`;
  $('#export-progress').textContent = '';
  $('#export-error').textContent = '';
  sync();
}

/** Applies the rules to the inputs in place (keeps the focus where it is). */
function sync() {
  normalize();
  const form = $('#export-form');
  const many = MANY_LAYERS.has(choice.format);
  for (const i of form.querySelectorAll('input[name=format]')) i.checked = i.value === choice.format;
  // Each format says the CRS its file will be in: the chosen one for the chosen format.
  for (const s of form.querySelectorAll('.fmt-crs')) {
    const f = s.dataset.format;
    s.textContent = t('fmt_crs_in', CRS_SHORT[f === choice.format ? choice.crs : defaultCrs(f)]);
  }
  const layerInputs = [...form.querySelectorAll('input[name=layer]')];
  // Unchecked first: a checked checkbox turned radio would uncheck the group's other radios.
  for (const i of layerInputs) i.checked = false;
  for (const i of layerInputs) if (i.type !== (many ? 'checkbox' : 'radio')) i.type = many ? 'checkbox' : 'radio';
  for (const i of layerInputs) i.checked = choice.layers.includes(i.value);
  $('#export-layers-legend').textContent = many ? t('export_layers_many') : t('export_layers_one');
  for (const i of form.querySelectorAll('input[name=crs]')) {
    i.disabled = !crsAllowed(choice.format, i.value);
    i.checked = i.value === choice.crs;
  }
  $('#export-crs-note').textContent = WGS84_ONLY.has(choice.format) ? t('crs_note_wgs84', t(`fmt_${choice.format}`))
    : PROJECTED_ONLY.has(choice.format) ? t('crs_note_vn2000', t(`fmt_${choice.format}`)) : '';
  $('#export-interval-row').hidden = !choice.layers.includes('stakes');
  const personal = $('#export-personal');
  if (personal) {
    personal.disabled = !choice.layers.includes('parcels');
    $('#export-personal-note').textContent = personal.disabled ? ` (${t('export_personal_parcels')})` : '';
  }
  const interval = $('#export-interval');
  const intervalOk = !choice.layers.includes('stakes') || interval.checkValidity();
  $('#export-submit').disabled = !!running || !choice.layers.length || !intervalOk;
  $('#export-need-layer').hidden = choice.layers.length > 0;
}

function onChange(e) {
  const i = e.target;
  if (i.name === 'format') {
    // A new format starts from its own CRS: a WGS84 KML must not leave WGS84 ticked for a Shapefile.
    choice.format = i.value;
    choice.crs = defaultCrs(i.value);
  }
  else if (i.name === 'layer') {
    if (i.type === 'radio') choice.layers = [i.value];
    else choice.layers = [...$('#export-form').querySelectorAll('input[name=layer]:checked')].map((x) => x.value);
  } else if (i.name === 'crs') choice.crs = i.value;
  else if (i.name === 'interval') {
    const v = Number(i.value);
    if (i.checkValidity() && v > 0) choice.interval = v;
  } else if (i.name === 'personal') choice.personal = i.checked;
  $('#export-error').textContent = '';
  sync();
}

async function onSubmit(e) {
  e.preventDefault();
  if (running) return;
  const progress = $('#export-progress');
  const error = $('#export-error');
  error.textContent = '';
  const q = exportQuery();
  running = new AbortController();
  sync();
  progress.textContent = t('export_preparing');
  $('#export-form').setAttribute('aria-busy', 'true');
  const t0 = performance.now();
  try {
    const { blob, name } = await api.exportFile(q, running.signal);
    const file = name || `hiendat-export.${EXTENSION[q.format]}`;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = file;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    progress.textContent = t('export_done', file, num(blob.size / 1024, 1), num((performance.now() - t0) / 1000, 1));
  } catch (err) {
    progress.textContent = '';
    if (err.name !== 'AbortError') error.textContent = err.message; // the server's words, as they are
  } finally {
    running = null;
    $('#export-form').removeAttribute('aria-busy');
    if ($('#export-dialog').open) sync();
  }
}

/**
 * Opens the dialog for `target`: {kind: 'ward'} | {kind: 'segment', id, name} | {kind: 'group', id}.
 */
export function openExport(target) {
  scope = target;
  render();
  $('#export-dialog').showModal();
  ($('#export-form input[name=format]:checked') ?? $('#export-form input')).focus();
}

/**
 * Wires the dialog once; `isLoggedIn` tells whether owners' names may be asked for, `getAsOf`
 * the date shown (the files always hold the current state).
 */
export function wireExport({ isLoggedIn, getAsOf }) {
  loggedIn = isLoggedIn;
  viewedDate = getAsOf;
  const form = $('#export-form');
  form.addEventListener('change', onChange);
  form.addEventListener('input', (e) => { if (e.target.name === 'interval') onChange(e); });
  form.addEventListener('submit', onSubmit);
  $('#export-close').addEventListener('click', () => $('#export-dialog').close());
  // Closing stops a download in progress.
  $('#export-dialog').addEventListener('close', () => running?.abort());
}
