// The structures on a parcel's land (công trình trên đất) as editors and admins record them in
// the parcel panel: the list with a "hiến" toggle, edit and remove on each, and a small form to
// add or edit one (kind, quantity, unit, value, donated, the day it took effect, a note). Every
// change goes to /api/parcels/{id}/structures with the version the structure was read at; the
// server keeps the history and refuses a stale save (its words are shown as they are).
import { api } from './api.js';
import { t, num, vnd, date, parseDate, parseNumber } from './i18n.js';
import { esc } from './panels.js';

const KINDS = ['wall', 'gate', 'house_front', 'awning', 'yard', 'tree', 'well', 'other'];
const UNITS = ['m', 'm2', 'item'];
/** The unit a kind is usually counted in (the form's default). */
const UNIT_OF = { wall: 'm', house_front: 'm2', awning: 'm2', yard: 'm2' };

const kindLabel = (k) => t(`kind_${k}`);
const unitLabel = (u) => (u ? t(`unit_${u}`) : '');

function line(s) {
  const qty = s.quantity != null ? ` — ${num(s.quantity, 2)} ${esc(unitLabel(s.unit))}` : '';
  const value = s.value_vnd != null ? ` · <span class="muted">${vnd(s.value_vnd)}</span>` : '';
  const last = s.last_change
    ? `<span class="line who muted st-last">${t(`st_what_${s.last_change.what}`)}${s.last_change.effective ? ` ${date(s.last_change.effective)}` : ''}${s.last_change.entered_by ? ` · ${esc(s.last_change.entered_by)}` : ''}</span>`
    : '';
  return `<li class="st-item" data-structure="${esc(s.id)}">
    <span class="st-text"><b>${esc(kindLabel(s.kind))}</b>${qty}${value}</span>
    <span class="st-controls">
      <label class="st-toggle"><input type="checkbox" id="st-donated-${esc(s.id)}" data-st-donate="${esc(s.id)}"${s.donated ? ' checked' : ''}> ${t('st_donate_toggle')}</label>
      <button type="button" class="btn small" data-st-edit="${esc(s.id)}">${t('st_edit')}</button>
      <button type="button" class="btn small danger" data-st-remove="${esc(s.id)}">${t('st_remove')}</button>
    </span>
    ${last}
  </li>`;
}

/** The section for an editor: the structures as they stand, each editable, and the form. */
export function structuresEditor(list, { today }) {
  const items = list.map(line).join('');
  const opt = (v, label, sel) => `<option value="${esc(v)}"${v === sel ? ' selected' : ''}>${esc(label)}</option>`;
  return `<section class="cs cs-structures" id="cs-structures" aria-labelledby="cs-structures-h">
    <h4 id="cs-structures-h">${t('structures')}</h4>
    ${items ? `<ul class="plain structures st-list">${items}</ul>` : `<p class="muted">${t('st_none')}</p>`}
    <p class="error" id="st-list-error" role="alert"></p>
    <details class="add-form" id="st-form-box"><summary id="st-form-title">${t('st_add')}</summary>
      <form class="edit st-form" id="st-form" novalidate>
        <input type="hidden" id="st-sid" name="sid" value="">
        <input type="hidden" id="st-version" name="version" value="">
        <input type="hidden" id="st-mode" name="mode" value="add">
        <div class="st-values">
          <label><span>${t('st_kind')}</span><select id="st-kind" name="kind">${KINDS.map((k) => opt(k, kindLabel(k), 'wall')).join('')}</select></label>
          <label><span>${t('st_quantity')}</span><input id="st-quantity" name="quantity" inputmode="decimal" autocomplete="off" placeholder="12,5"></label>
          <label><span>${t('st_unit')}</span><select id="st-unit" name="unit">${UNITS.map((u) => opt(u, unitLabel(u), 'm')).join('')}</select></label>
          <label><span>${t('st_value')}</span><input id="st-value" name="value_vnd" inputmode="numeric" autocomplete="off" placeholder="5.000.000"></label>
          <label class="check"><input type="checkbox" id="st-donated" name="donated"> <span>${t('st_donated')}</span></label>
        </div>
        <label><span>${t('st_effective')}</span><input id="st-effective" name="effective" inputmode="numeric" autocomplete="off" placeholder="dd/mm/yyyy" value="${date(today)}" required></label>
        <label><span>${t('note')}</span><textarea id="st-note" name="note" rows="2"></textarea></label>
        <p class="error" id="st-error" role="alert"></p>
        <p class="st-buttons"><button type="submit" class="btn primary" id="st-save">${t('st_save')}</button>
          <button type="button" class="btn" id="st-cancel">${t('st_cancel')}</button></p>
      </form>
    </details>
  </section>`;
}

/** The form's values as the API takes them; throws a message naming the field. */
function bodyOf(form) {
  const quantity = parseNumber(form.quantity.value);
  if (!(quantity > 0)) throw new Error(t('st_bad_quantity'));
  const rawValue = form.value_vnd.value.trim();
  const value = rawValue ? parseNumber(rawValue) : null;
  if (rawValue && (value === null || !Number.isInteger(value))) throw new Error(t('st_bad_value'));
  const effective = parseDate(form.effective.value);
  if (!effective) throw new Error(t('bad_date'));
  const body = { kind: form.kind.value, quantity, unit: form.unit.value, donated: form.donated.checked, effective };
  if (value !== null) body.value_vnd = value;
  if (form.note.value.trim()) body.note = form.note.value.trim();
  return body;
}

/** The form's title, fields and button for its mode (add, edit, remove). */
function applyMode(host) {
  const mode = host.querySelector('#st-mode').value || 'add';
  host.querySelector('.st-values').hidden = mode === 'remove';
  host.querySelector('#st-form-title').textContent = t(`st_title_${mode}`);
  host.querySelector('#st-save').textContent = t(mode === 'remove' ? 'st_remove_confirm' : 'st_save');
}

/** Fills the form to edit (or remove) structure `s`. */
function fill(host, s, mode, today) {
  const form = host.querySelector('#st-form');
  form.sid.value = s?.id ?? '';
  form.version.value = s?.version ?? '';
  form.mode.value = mode;
  if (s) {
    form.kind.value = s.kind;
    form.quantity.value = s.quantity != null ? num(s.quantity, 4) : '';
    form.unit.value = s.unit ?? 'm';
    form.value_vnd.value = s.value_vnd != null ? String(s.value_vnd) : '';
    form.donated.checked = !!s.donated;
  } else {
    form.reset();
    form.mode.value = 'add';
  }
  form.effective.value = date(today);
  applyMode(host);
  host.querySelector('#st-error').textContent = '';
  const box = host.querySelector('#st-form-box');
  box.open = true;
  box.scrollIntoView({ block: 'nearest' });
  (mode === 'remove' ? form.effective : form.quantity).focus({ preventScroll: true });
}

/**
 * Wires the section drawn by structuresEditor in `host` (after its form's values were
 * restored): `list` as the server sent it, the parcel's `id`, `onSaved` after every change (the
 * panel and the totals reload).
 */
export function wireStructures(host, { id, list, today, onSaved, toast }) {
  const form = host.querySelector('#st-form');
  if (!form) return;
  // the mode a redrawn panel's form was left in (main.js restores the values first)
  applyMode(host);
  const byId = new Map(list.map((s) => [String(s.id), s]));
  const base = `/api/parcels/${encodeURIComponent(id)}/structures`;
  form.kind.addEventListener('change', () => {
    if (form.mode.value === 'add') form.unit.value = UNIT_OF[form.kind.value] ?? 'item';
  });
  host.querySelector('#st-cancel').addEventListener('click', () => {
    fill(host, null, 'add', today);
    host.querySelector('#st-form-box').open = false;
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const err = host.querySelector('#st-error');
    const btn = host.querySelector('#st-save');
    err.textContent = '';
    const mode = form.mode.value;
    let body;
    try {
      if (mode === 'remove') {
        const effective = parseDate(form.effective.value);
        if (!effective) throw new Error(t('bad_date'));
        body = { version: Number(form.version.value), effective };
        if (form.note.value.trim()) body.note = form.note.value.trim();
      } else {
        body = bodyOf(form);
        if (mode === 'edit') body.version = Number(form.version.value);
      }
    } catch (e) { err.textContent = e.message; return; }
    btn.disabled = true;
    try {
      if (mode === 'add') await api.addStructure(base, body);
      else if (mode === 'edit') await api.editStructure(`${base}/${form.sid.value}`, body);
      else await api.removeStructure(`${base}/${form.sid.value}`, body);
    } catch (e) {
      (document.getElementById('st-error') ?? err).textContent = e.message; // the server's words
      (document.getElementById('st-save') ?? btn).disabled = false;
      return;
    }
    toast(t(mode === 'remove' ? 'st_removed' : 'st_saved'));
    await onSaved();
  });
  host.querySelector('.st-list')?.addEventListener('click', (ev) => {
    const edit = ev.target.closest('[data-st-edit]');
    const remove = ev.target.closest('[data-st-remove]');
    if (edit) fill(host, byId.get(edit.dataset.stEdit), 'edit', today);
    if (remove) fill(host, byId.get(remove.dataset.stRemove), 'remove', today);
  });
  // "Hiến": the same values, donated or not, from today.
  host.querySelector('.st-list')?.addEventListener('change', async (ev) => {
    const box = ev.target.closest('[data-st-donate]');
    if (!box) return;
    const s = byId.get(box.dataset.stDonate);
    const err = host.querySelector('#st-list-error');
    err.textContent = '';
    box.disabled = true;
    const body = {
      version: s.version, kind: s.kind, quantity: s.quantity ?? 1, unit: s.unit ?? 'item',
      donated: box.checked, effective: today,
    };
    if (s.value_vnd != null) body.value_vnd = s.value_vnd;
    try {
      await api.editStructure(`${base}/${s.id}`, body);
    } catch (e) {
      box.checked = !box.checked;
      box.disabled = false;
      (document.getElementById('st-list-error') ?? err).textContent = e.message;
      return;
    }
    toast(t('st_saved'));
    await onSaved();
  });
}
