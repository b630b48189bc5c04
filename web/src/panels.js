// The side panels: ward summary, segment list (sort, filter, search), residential-group table,
// the legend, and the detail panel for a segment, a group or a parcel.
import { t, statusLabel, num, area, metres, pct, date, fold, compareNames, vnd } from './i18n.js';
import { api } from './api.js';
import {
  STATUSES, PUBLIC_STATUSES, statusesOf, STATUS_COLOR, progressColor, rgbCss, CORRIDOR_COLOR, GROUP_LINE, SEGMENT_CASING,
  IDLE_CLASSES,
} from './config.js';

export const $ = (sel, root = document) => root.querySelector(sel);

export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

const bar = (p) => `<span class="bar" aria-hidden="true"><span style="width:${Math.max(0, Math.min(100, p ?? 0))}%;background:${rgbCss(progressColor(p))}"></span></span>`;

/**
 * A stacked bar of households per status, and the counts under it: each step for logged-in
 * users, the public steps (one "not yet") for visitors, as the server counted them.
 */
function householdBlock(h, total, reached) {
  const steps = statusesOf(h);
  const n = total || steps.reduce((s, k) => s + (h?.[k] ?? 0), 0) || 1;
  const parts = steps.map((k) => (h?.[k] ? `<span class="st-${k}" style="width:${(100 * h[k]) / n}%;background:${STATUS_COLOR[k]}" title="${esc(statusLabel(k))}: ${h[k]}"></span>` : '')).join('');
  const rows = steps.map((k) => `<li><span class="sw st-${k}" style="background:${STATUS_COLOR[k]}"></span><span>${esc(statusLabel(k))}</span><b>${num(h?.[k] ?? 0, 0)}</b></li>`).join('');
  // "At a step" and "reached a step" are two figures with two names (README, Glossary).
  const reachedLine = reached ? `<p class="hh-reached">${t('reached_agreed')}: <b>${num(reached.agreed ?? 0, 0)}</b> · ${t('reached_signed')}: <b>${num(reached.signed ?? 0, 0)}</b></p>` : '';
  return `<h4>${t('households_by_status')}</h4><div class="stack" aria-hidden="true">${parts}</div><ul class="hh-list">${rows}</ul>${reachedLine}`;
}

// ---------------------------------------------------------------- ward summary

/** The button that opens "Tải về cho trắc địa" for the whole ward, a segment or a group. */
export function exportButton(kind, id = '') {
  return `<button type="button" class="btn small export-open" data-export="${kind}" data-export-id="${esc(id)}"><span aria-hidden="true">↓</span> ${t('export_open')}</button>`;
}

export function renderWardSummary(host, { totals, segments }) {
  const feats = segments?.features ?? [];
  const complete = feats.filter((f) => f.properties.complete).length;
  if (!totals) { host.innerHTML = ''; return; }
  const hhPct = totals.parcels_affected ? (100 * (totals.households?.handed_over ?? 0)) / totals.parcels_affected : 0;
  host.innerHTML = `
    <h2>${t('ward_total')}</h2>
    <div class="kpis">
      <div class="kpi"><span class="kpi-v" data-kpi="area">${pct(totals.progress_pct)}</span><span class="kpi-l">${t('progress_area')}</span>${bar(totals.progress_pct)}</div>
      <div class="kpi"><span class="kpi-v" data-kpi="households">${pct(hhPct)}</span><span class="kpi-l">${t('progress_households')}</span>${bar(hhPct)}</div>
    </div>
    <p class="kpi-foot">${area(totals.handed_over_area_m2)} / ${area(totals.donated_area_m2)} · ${num(totals.households?.handed_over ?? 0, 0)} / ${num(totals.parcels_affected, 0)} ${t('parcels').toLowerCase()} · <span data-kpi="complete">${t('segments_complete', num(complete, 0), num(feats.length, 0))}</span></p>
    ${totals.structures ? `<p class="kpi-foot">${t('structures_donated')}: <b data-kpi="structures-donated">${num(totals.structures_donated ?? 0, 0)}</b> / ${num(totals.structures, 0)} · <span data-kpi="structures-value">${vnd(totals.structures_donated_value_vnd ?? 0)}</span></p>` : ''}
    <p class="export-row">${exportButton('ward')}</p>`;
}

// ---------------------------------------------------------------- segment list

export function filterSegments(features, { q, complete, groupSet }) {
  const fq = fold(q).trim();
  return features.filter((f) => {
    const p = f.properties;
    if (fq && !fold(p.name).includes(fq)) return false;
    if (complete === 'complete' && !p.complete) return false;
    if (complete === 'incomplete' && p.complete) return false;
    if (groupSet && !groupSet.has(p.id)) return false;
    return true;
  });
}

export function sortSegments(list, key, dir) {
  const k = {
    name: (a, b) => compareNames(a.properties.name, b.properties.name) || a.properties.id - b.properties.id,
    progress: (a, b) => a.properties.progress_pct - b.properties.progress_pct || a.properties.id - b.properties.id,
    area: (a, b) => a.properties.donated_area_m2 - b.properties.donated_area_m2 || a.properties.id - b.properties.id,
  }[key];
  return [...list].sort((a, b) => dir * k(a, b));
}

/**
 * The segment list: the first `limit` rows (a ward of 16,000 segments would lay out every one
 * before the map could pan), the selected one always, and a button for the next ones.
 */
export function renderSegmentList(host, countEl, features, total, selectedId, limit = Infinity) {
  countEl.textContent = t('count_segments', num(features.length, 0), num(total, 0));
  let shown = features.length > limit ? features.slice(0, limit) : features;
  if (shown !== features && selectedId != null && !shown.some((f) => f.properties.id === selectedId)) {
    const sel = features.find((f) => f.properties.id === selectedId);
    if (sel) shown = [...shown, sel];
  }
  const rest = features.length - shown.length;
  const more = rest > 0
    ? `<li><button type="button" class="seg-more" data-more="1">${esc(t('segments_more', num(rest, 0)))}</button></li>`
    : '';
  host.innerHTML = shown.map((f) => {
    const p = f.properties;
    const sel = p.id === selectedId ? ' aria-current="true"' : '';
    return `<li><button type="button" class="seg-item${p.complete ? ' is-complete' : ''}" data-id="${p.id}" data-progress="${p.progress_pct}"${sel}>
      <span class="seg-top"><span class="seg-name">${esc(p.name)}</span><span class="seg-id">${t('segment_no')} ${p.id}</span></span>
      ${bar(p.progress_pct)}
      <span class="seg-figs"><b class="seg-pct">${pct(p.progress_pct)}</b>
        <span>${area(p.handed_over_area_m2)} / ${area(p.donated_area_m2)}</span>
        ${p.complete ? `<span class="badge done">✓ ${t('complete')}</span>` : ''}</span>
      ${listResponsibility(p)}
    </button></li>`;
  }).join('') + more;
}

/** A list row's party cell and committee member in charge, in one small line. */
function listResponsibility(r) {
  const cell = r.cell ?? (r.cells ?? []).join(', ');
  const parts = [cell, r.lead ? `${t('lead_short')}: ${r.lead}` : ''].filter(Boolean);
  return parts.length ? `<span class="resp muted">${esc(parts.join(' · '))}</span>` : '';
}

// ---------------------------------------------------------------- group table

export function renderGroupTable(table, rows, { sortKey, dir, selected }) {
  const cols = [
    ['name', t('col_group')], ['parcels', t('col_parcels')], ['required', t('col_required')],
    ['handed', t('col_handed')], ['progress', t('col_progress')], ['hh', t('col_hh')],
  ];
  const val = {
    name: (r) => r.residential_group, parcels: (r) => r.parcels_affected ?? r.parcels,
    required: (r) => r.donated_area_m2, handed: (r) => r.handed_over_area_m2, progress: (r) => r.progress_pct,
    hh: (r) => r.households?.handed_over ?? 0,
  };
  const sorted = [...rows].sort((a, b) => {
    const c = sortKey === 'name' ? compareNames(val.name(a), val.name(b)) : val[sortKey](a) - val[sortKey](b);
    return dir * c;
  });
  table.tHead.innerHTML = `<tr>${cols.map(([k, label]) => {
    const s = k === sortKey ? (dir > 0 ? 'ascending' : 'descending') : 'none';
    return `<th scope="col" aria-sort="${s}" class="c-${k}"><button type="button" data-sort="${k}">${esc(label)}${k === sortKey ? (dir > 0 ? ' ▲' : ' ▼') : ''}</button></th>`;
  }).join('')}</tr>`;
  table.tBodies[0].innerHTML = sorted.map((r) => {
    const aff = r.parcels_affected ?? r.parcels;
    return `<tr${r.residential_group === selected ? ' aria-current="true"' : ''}>
      <th scope="row" class="c-name"><button type="button" class="link" data-group="${esc(r.residential_group)}">${esc(r.residential_group)}</button>${r.complete ? ' <span class="badge done" title="' + esc(t('complete')) + '">✓</span>' : ''}${listResponsibility(r)}</th>
      <td class="num">${num(r.parcels, 0)}</td>
      <td class="num">${num(r.donated_area_m2, 1)}</td>
      <td class="num">${num(r.handed_over_area_m2, 1)}</td>
      <td class="num c-progress">${pct(r.progress_pct)}${bar(r.progress_pct)}</td>
      <td class="num">${num(r.households?.handed_over ?? 0, 0)} / ${num(aff, 0)}</td>
    </tr>`;
  }).join('');
}

// ---------------------------------------------------------------- legend

/**
 * The legend. `publicView` (no one logged in): the parcels the server sends carry the public
 * statuses, so the legend shows one "Chưa hiến / Not yet" class and no hatched "declined".
 */
export function renderLegend(host, { hasCorridors, publicView = false, idle = false }) {
  const statuses = publicView ? PUBLIC_STATUSES : STATUSES;
  const grad = `linear-gradient(90deg, ${['#d55e00', '#e69f00', '#009e73'].join(',')})`;
  host.innerHTML = `
    <h3>${t('segment_progress')}</h3>
    <div class="ramp" style="background:${grad}"></div>
    <div class="ramp-labels"><span>0 %</span><span>50 %</span><span>100 %</span></div>
    <div class="lg-row"><span class="sw-line complete" style="--c:#009e73;--k:${SEGMENT_CASING}"></span>${t('seg_complete_legend')}</div>
    <h3>${t('parcel_status')}</h3>
    <ul class="lg-status">${statuses.map((s) => `<li><span class="sw st-${s}" style="background:${STATUS_COLOR[s]}"></span>${esc(statusLabel(s))}</li>`).join('')}</ul>
    ${hasCorridors ? `<div class="lg-row"><span class="sw corridor" style="--c:${CORRIDOR_COLOR}"></span>${t('corridor')}</div>` : ''}
    <div class="lg-row"><span class="sw-line group" style="--c:${GROUP_LINE}"></span>${t('group_boundary')}</div>
    ${idleLegend(idle)}`;
}

// ---------------------------------------------------------------- responsibility (issue 13, item 1)

/** The idle-days layer's switch, and its classes while it is on. */
function idleLegend(on) {
  return `<label class="lg-toggle"><input type="checkbox" id="idle-toggle"${on ? ' checked' : ''}> ${esc(t('idle_layer'))}</label>
    ${on ? `<ul class="lg-idle">${IDLE_CLASSES.map(([k, c]) => `<li data-idle="${k}"><span class="sw idle-${k}" style="background:${c}"></span>${esc(t(`idle_${k}`))}</li>`).join('')}</ul>` : ''}`;
}

/** "Đứng im N ngày — liên hệ: …" for an unfinished area (empty when complete). */
export function idleLine(r) {
  if (r.complete) return '';
  const who = r.lead || t('no_lead');
  const line = r.idle_days == null ? t('never_moved', who) : t('idle_line', num(r.idle_days, 0), who);
  return `<p class="idle-line" data-idle-days="${r.idle_days ?? ''}">${esc(line)}${r.last_step ? ` <span class="muted">(${esc(t('last_step_on', date(r.last_step)))})</span>` : ''}</p>`;
}

/**
 * Who answers for a group or a segment: its party cell(s) and the committee member in charge
 * (public offices), and, when the server sends them (editors and admins), the party members
 * assigned to its households with where those households stand.
 */
export function responsibilityBlock(r) {
  const cells = r.cell ? [r.cell] : (r.cells ?? []);
  const rows = figures([
    cells.length && [cells.length > 1 || r.cells ? t('party_cells') : t('party_cell'), esc(cells.join(', '))],
    [t('area_lead'), r.lead ? esc(r.lead) : `<span class="muted">${t('no_lead')}</span>`],
  ]);
  const members = Array.isArray(r.members) && r.members.length
    ? `<h4>${t('assigned_members')}</h4><ul class="plain members">${r.members.map((m) => `<li data-member="${esc(m.code)}"><b>${esc(m.name)}</b>${m.cell ? ` <span class="muted">(${esc(m.cell)})</span>` : ''}<br><span class="muted">${esc(t('member_progress', num(m.assigned, 0), num(m.agreed, 0), num(m.signed, 0), num(m.handed_over, 0)))}</span></li>`).join('')}</ul>`
    : '';
  return `<div class="responsibility">${idleLine(r)}${rows}${members}</div>`;
}

// ---------------------------------------------------------------- detail panels

function figures(rows) {
  return `<dl class="figs">${rows.filter(Boolean).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

export function segmentDetail(p, { groups }) {
  return `<p class="kicker">${t('segments')} · ${t('segment_no')} ${p.id}</p>
    <h3>${esc(p.name)}</h3>
    <div class="big-progress"><b>${pct(p.progress_pct)}</b><span>${t('progress_area')}</span>${bar(p.progress_pct)}</div>
    ${p.complete ? `<p class="badge done">✓ ${t('complete')}</p>` : ''}
    ${responsibilityBlock(p)}
    ${figures([
      [t('required_area'), area(p.donated_area_m2)],
      [t('handed_over_area'), area(p.handed_over_area_m2)],
      [t('parcels_affected'), num(p.parcels_affected, 0)],
      p.current_width_m != null && [t('width_current'), metres(p.current_width_m)],
      p.planned_width_m != null && [t('width_planned'), metres(p.planned_width_m)],
      groups?.length && [t('groups'), esc(groups.join(', '))],
    ])}
    <p class="export-row">${exportButton('segment', p.id)}</p>
    ${householdBlock(p.households, p.parcels_affected, p.households_reached)}
    ${structuresBlock(p.structures, p)}`;
}

/** The parcels of a segment, the unfinished first, as buttons that open each parcel. */
export function segmentParcelList(features) {
  const order = Object.fromEntries(['declined', 'not_yet', 'not_contacted', 'persuading', 'agreed', 'signed', 'handed_over'].map((s, i) => [s, i]));
  const list = [...features].sort((a, b) => (order[a.properties.status] - order[b.properties.status])
    || compareNames(a.properties.map_sheet, b.properties.map_sheet) || compareNames(a.properties.parcel_no, b.properties.parcel_no));
  return `<details class="seg-parcels"><summary>${t('parcels_affected')} (${num(list.length, 0)})</summary>
    <ul class="plain parcel-list">${list.map((f) => { const p = f.properties; return `<li><button type="button" class="link" data-parcel="${p.id}">${t('map_sheet')} ${esc(p.map_sheet)} · ${t('parcel_no')} ${esc(p.parcel_no)}</button>
      <span class="chip" style="--c:${STATUS_COLOR[p.status] ?? '#ccc'}">${esc(statusLabel(p.status))}</span></li>`; }).join('')}</ul></details>`;
}

export function groupDetail(r) {
  const aff = r.parcels_affected ?? r.parcels;
  const hhPct = aff ? (100 * (r.households?.handed_over ?? 0)) / aff : 0;
  return `<p class="kicker">${t('group')}</p>
    <h3>${esc(r.residential_group)}</h3>
    <div class="big-progress"><b>${pct(r.progress_pct)}</b><span>${t('progress_area')}</span>${bar(r.progress_pct)}</div>
    ${r.complete ? `<p class="badge done">✓ ${t('complete')}</p>` : ''}
    ${responsibilityBlock(r)}
    ${figures([
      [t('required_area'), area(r.donated_area_m2)],
      [t('handed_over_area'), area(r.handed_over_area_m2)],
      [t('progress_households'), `${pct(hhPct)} (${num(r.households?.handed_over ?? 0, 0)} / ${num(aff, 0)})`],
      [t('parcels'), num(r.parcels, 0)],
    ])}
    <p class="export-row">${exportButton('group', r.residential_group)}</p>
    ${householdBlock(r.households, aff, r.households_reached)}
    ${structuresBlock(r.structures, r)}`;
}

/** A parcel's structures on the land (a list), or a segment's or group's totals (numbers). */
function structuresBlock(list, totals) {
  if (!Array.isArray(list)) {
    if (!totals || !totals.structures) return '';
    return `<h4>${t('structures')}</h4>${figures([
      [t('structures_count'), num(totals.structures, 0)],
      [t('structures_donated'), num(totals.structures_donated ?? 0, 0)],
      [t('structures_value'), vnd(totals.structures_donated_value_vnd ?? 0)],
    ])}`;
  }
  if (!list.length) return '';
  const unit = (s) => (s.unit ? t(`unit_${s.unit}`) : '');
  const kind = (s) => { const k = t(`kind_${s.kind}`); return k === `kind_${s.kind}` ? (s.label ?? s.kind ?? '') : k; };
  return `<h4>${t('structures')}</h4><ul class="plain structures">${list.map((s) => `<li>${esc(kind(s))}${s.quantity != null ? ` — ${num(s.quantity, 2)} ${esc(unit(s))}` : ''}${s.value_vnd != null ? ` · <span class="muted">${vnd(s.value_vnd)}</span>` : ''}${s.donated ? ` <span class="badge donated">${t('donated')}</span>` : ` <span class="muted">(${t('not_donated')})</span>`}</li>`).join('')}</ul>`;
}

/** The donation record's fields, shown in the status form when the new status is `signed`. */
function recordFields(today) {
  return `<fieldset class="record-fields" id="record-fields" hidden>
      <legend>${t('record_fields')}</legend>
      <label><span>${t('record_no')}</span><input name="record_number" id="record-number" autocomplete="off" placeholder="${t('example')} 125/BB-HĐ"></label>
      <label><span>${t('signed_on')}</span><input name="record_signed_on" id="record-signed-on" inputmode="numeric" placeholder="dd/mm/yyyy" value="${date(today)}"></label>
      <label><span>${t('signatories_input')}</span><textarea name="record_signatories" id="record-signatories" rows="2"></textarea></label>
      <label><span>${t('witness')}</span><input name="record_witness" id="record-witness" autocomplete="off"></label>
    </fieldset>`;
}

/**
 * A parcel's panel. `extra`: the paperwork and campaign sections (campaign.js), shown between
 * the status form and the history; `structures`: the editor's structures section
 * (structures.js), in place of the read-only list.
 */
export function parcelDetail(f, { segmentsById, canEdit, asOf, today, extra = '', structures = null }) {
  const p = f.properties;
  const don = (p.donations ?? []).map((d) => `<li>
      <b>${esc(segmentsById.get(d.segment)?.properties.name ?? '')}</b> <span class="muted">(${t('segment_no')} ${d.segment})</span>
      ${figures([
        [t('donated_area'), area(d.attributed_area_m2 ?? d.area_in_corridor_m2)],
        [t('frontage'), metres(d.frontage_m)],
        [t('depth_mean'), metres(d.depth_mean_m)],
        [t('depth_max'), metres(d.depth_max_m)],
      ])}</li>`).join('');
  const hh = Array.isArray(p.households) ? p.households : [];
  const owners = hh.length
    ? `<h4>${t('households')}</h4><ul class="plain owners">${hh.map((h) => `<li><b>${esc(h.head_name)}</b>${h.is_member_family ? ` <span class="badge member">${t('member_family')}</span>` : ''}${h.address ? `<br><span class="muted">${esc(h.address)}</span>` : ''}${h.phone ? ` · <span class="muted">${esc(h.phone)}</span>` : ''}${h.note ? `<br><span class="note">${esc(h.note)}</span>` : ''}</li>`).join('')}</ul>`
    : p.owner ? `<h4>${t('owner')}</h4><p class="owners">${esc(p.owner)}</p>` : '';
  const hist = (p.history ?? []).slice().reverse().map((e) => `<li>
      <span class="when">${date(e.occurred_on)}</span>
      <span class="chip" style="--c:${STATUS_COLOR[e.status] ?? '#ccc'}">${esc(statusLabel(e.status))}</span>
      ${e.note ? `<span class="note">${esc(e.note)}</span>` : ''}
      ${e.entered_by || e.party_member ? `<span class="who muted">${e.entered_by ? `${t('entered_by')}: ${esc(e.entered_by)} (${date(e.entered_at)})` : ''}${e.party_member ? ` · ${t('party_member')}: ${esc(e.party_member)}` : ''}</span>` : ''}
    </li>`).join('');
  // The server names the allowed next statuses (Status::next).
  const next = p.next_statuses ?? [];
  let form = '';
  if (canEdit) {
    if (asOf) form = `<p class="hint">${t('past_readonly')}</p>`;
    else if (!next.length) form = `<p class="hint">${t('no_next')}</p>`;
    else {
      form = `<form class="edit" id="event-form" data-parcel="${p.id}">
        <h4>${t('change_status')}</h4>
        <label><span>${t('new_status')}</span><select name="status" id="event-status">${next.map((s) => `<option value="${s}">${esc(statusLabel(s))}</option>`).join('')}</select></label>
        <label><span>${t('occurred_on')}</span><input name="occurred_on" id="event-date" inputmode="numeric" placeholder="dd/mm/yyyy" value="${date(today)}" required></label>
        <label><span>${t('member')}</span><input name="party_member" id="event-member" autocomplete="off" list="member-names"></label>
        <label><span>${t('note')}</span><textarea name="note" id="event-note" rows="2"></textarea></label>
        ${next.includes('signed') ? recordFields(today) : ''}
        <p class="error" id="event-error" role="alert"></p>
        <button type="submit" class="btn primary" id="event-save">${t('save')}</button>
      </form>`;
    }
  }
  return `<p class="kicker">${t('parcel')} · ${esc(p.residential_group ?? '')}</p>
    <h3>${t('map_sheet')} ${esc(p.map_sheet)} · ${t('parcel_no')} ${esc(p.parcel_no)}</h3>
    <p><span class="chip status" data-status="${p.status}" style="--c:${STATUS_COLOR[p.status] ?? '#ccc'}">${esc(statusLabel(p.status))}</span></p>
    ${figures([
      [t('map_sheet'), esc(p.map_sheet)],
      [t('parcel_no'), esc(p.parcel_no)],
      [t('group'), esc(p.residential_group ?? '—')],
      p.land_use && [t('land_use'), esc(p.land_use)],
      p.legal_area_m2 != null && [t('legal_area'), area(p.legal_area_m2)],
      [t('donated_area'), area(p.donated_area_m2)],
    ])}
    ${don ? `<h4>${t('donation_to')}</h4><ul class="plain donations">${don}</ul>` : ''}
    ${owners}
    ${structures ?? structuresBlock(p.structures)}
    ${form}
    ${extra}
    <h4>${t('history')}</h4>
    ${hist ? `<ol class="history">${hist}</ol>` : `<p class="muted">${t('no_history')}</p>`}`;
}

// ---------------------------------------------------------------- print

export function renderPrintSummary(host, { segments, groups, asOf, today, demo, totals }) {
  const feats = sortSegments(segments?.features ?? [], 'name', 1);
  host.innerHTML = `
    <h1>${t('print_title')}</h1>
    <p>${t('print_date', date(asOf ?? today))} · ${t('printed_on', date(today))}${demo ? ` · <b>${t('demo_badge')}</b>` : ''}</p>
    ${totals ? `<p>${t('progress_area')}: <b>${pct(totals.progress_pct)}</b> (${area(totals.handed_over_area_m2)} / ${area(totals.donated_area_m2)}) · ${t('segments_complete', num(feats.filter((f) => f.properties.complete).length, 0), num(feats.length, 0))}</p>` : ''}
    <div class="print-map-row"><img id="print-map" alt=""><div id="print-legend" class="print-legend"></div></div>
    <table class="print-table"><thead><tr><th>${t('col_segment')}</th><th>${t('segment_no')}</th><th>${t('col_required')}</th><th>${t('col_handed')}</th><th>${t('col_progress')}</th><th>${t('col_hh')}</th><th>${t('parcels_affected')}</th><th>${t('state')}</th></tr></thead>
    <tbody>${feats.map((f) => { const p = f.properties; return `<tr><td>${esc(p.name)}</td><td class="num">${p.id}</td><td class="num">${num(p.donated_area_m2)}</td><td class="num">${num(p.handed_over_area_m2)}</td><td class="num">${pct(p.progress_pct)}</td><td class="num">${num(p.households?.handed_over ?? 0, 0)}</td><td class="num">${num(p.parcels_affected, 0)}</td><td>${p.complete ? t('complete') : t('not_complete')}</td></tr>`; }).join('')}</tbody></table>
    ${groups?.length ? `<table class="print-table"><thead><tr><th>${t('col_group')}</th><th>${t('col_parcels')}</th><th>${t('col_required')}</th><th>${t('col_handed')}</th><th>${t('col_progress')}</th><th>${t('col_hh')}</th><th>${t('parcels_affected')}</th></tr></thead>
    <tbody>${[...groups].sort((a, b) => compareNames(a.residential_group, b.residential_group)).map((r) => `<tr><td>${esc(r.residential_group)}</td><td class="num">${num(r.parcels, 0)}</td><td class="num">${num(r.donated_area_m2)}</td><td class="num">${num(r.handed_over_area_m2)}</td><td class="num">${pct(r.progress_pct)}</td><td class="num">${num(r.households?.handed_over ?? 0, 0)}</td><td class="num">${num(r.parcels_affected ?? r.parcels, 0)}</td></tr>`).join('')}</tbody></table>` : ''}`;
}

/**
 * The login dialog, the same on the ward's page and the province view: the button opens it, the form
 * logs in, then `loggedIn(user)` lets the page show what the user may see. A failure is said in the dialog.
 */
export function wireLogin(loggedIn) {
  $('#login-btn').addEventListener('click', () => {
    $('#login-error').textContent = '';
    $('#login-dialog').showModal();
    $('#login-name').focus();
  });
  $('#login-cancel').addEventListener('click', () => $('#login-dialog').close());
  $('#login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api.login($('#login-name').value.trim(), $('#login-password').value);
      $('#login-password').value = '';
      $('#login-dialog').close();
      await loggedIn((await api.me()).user);
    } catch (e) {
      $('#login-error').textContent = `${t('login_failed')}: ${e.message}`;
    }
  });
}
