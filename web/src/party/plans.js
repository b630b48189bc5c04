// "Kế hoạch / Plans" in the party tab: each plan with plan versus actual (bars), its milestones
// (overdue ones in red with the days overdue), the projected completion; a form to set or edit a
// plan with its milestones for roles that may plan. Figures are the server's (GET /api/plans,
// src/campaign/plans.rs); errors are shown as the server words them.
import { registerPartySection } from '../party.js';
import { t, getLang, num, area, date, parseDate, parseNumber } from '../i18n.js';
import { ApiError, apiUrl } from '../api.js';

const L = {
  vi: {
    none: 'Chưa có kế hoạch nào.',
    summary: (n, late) => `${n} kế hoạch đang thực hiện; ${late} mốc quá hạn`,
    actions: 'Thao tác', area: 'Địa bàn', plan: 'Kế hoạch', vs: 'Thực hiện / chỉ tiêu', milestones: 'Mốc', projection: 'Dự kiến hoàn thành',
    households: 'hộ đồng ý', handed: 'm² đã bàn giao',
    kind: { group: 'Tổ dân phố', segment: 'Đoạn tuyến', cell: 'Chi bộ' },
    state: { met: 'đạt', missed: 'chưa đạt - quá hạn', pending: 'đang thực hiện' },
    overdue: (d) => `quá hạn ${num(d, 0)} ngày`,
    reached: 'đã đạt chỉ tiêu cuối', no_trend: 'chưa có xu hướng (30 ngày không tiến triển)',
    late: 'trễ so với mốc cuối', in_time: 'kịp mốc cuối',
    cancelled: 'đã hủy', set_by: (who, d) => `Đặt bởi ${who}, cập nhật ${d}`,
    add: 'Thêm kế hoạch', edit: 'Sửa', cancel_plan: 'Hủy kế hoạch', confirm_cancel: 'Hủy kế hoạch này? Kế hoạch vẫn được lưu.',
    form_new: 'Kế hoạch mới', form_edit: (id) => `Sửa kế hoạch số ${id}`,
    f_area: 'Địa bàn', f_title: 'Tên kế hoạch', f_note: 'Ghi chú', f_due: 'Ngày đến hạn (dd/mm/yyyy)',
    f_h: 'Số hộ đồng ý', f_a: 'Diện tích bàn giao (m²)', f_add_ms: 'Thêm mốc', f_remove: 'Bỏ mốc',
    save: 'Lưu', close: 'Đóng', saved: 'Đã lưu kế hoạch', cancelled_ok: 'Đã hủy kế hoạch',
    totals: (h, a) => `${num(h, 0)} hộ, ${a}`,
  },
  en: {
    none: 'No plans yet.',
    summary: (n, late) => `${n} active plans; ${late} milestones overdue`,
    actions: 'Actions', area: 'Area', plan: 'Plan', vs: 'Actual / target', milestones: 'Milestones', projection: 'Projected completion',
    households: 'households agreed', handed: 'm² handed over',
    kind: { group: 'Residential group', segment: 'Road segment', cell: 'Party cell' },
    state: { met: 'met', missed: 'missed - overdue', pending: 'in progress' },
    overdue: (d) => `${num(d, 0)} days overdue`,
    reached: 'final targets reached', no_trend: 'no trend (no step in 30 days)',
    late: 'after the last milestone', in_time: 'in time for the last milestone',
    cancelled: 'cancelled', set_by: (who, d) => `Set by ${who}, updated ${d}`,
    add: 'Add a plan', edit: 'Edit', cancel_plan: 'Cancel plan', confirm_cancel: 'Cancel this plan? It stays on record.',
    form_new: 'New plan', form_edit: (id) => `Edit plan ${id}`,
    f_area: 'Area', f_title: 'Title', f_note: 'Note', f_due: 'Due date (dd/mm/yyyy)',
    f_h: 'Households agreed', f_a: 'Area handed over (m²)', f_add_ms: 'Add a milestone', f_remove: 'Remove',
    save: 'Save', close: 'Close', saved: 'Plan saved', cancelled_ok: 'Plan cancelled',
    totals: (h, a) => `${num(h, 0)} households, ${a}`,
  },
};
const s = (k, ...a) => { const v = (L[getLang()] ?? L.vi)[k] ?? L.vi[k]; return typeof v === 'function' ? v(...a) : v; };

async function call(path, method = 'GET', body) {
  const res = await fetch(apiUrl(path), {
    method, credentials: 'same-origin',
    headers: body ? { 'content-type': 'application/json' } : undefined,
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) throw new ApiError(res.status, json?.error?.code ?? 'http', json?.error?.message ?? `${res.status} ${text}`);
  return json;
}

const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of kids.flat()) if (c !== null && c !== undefined) e.append(c);
  return e;
};

/** The final target of a measure (its largest) among the milestones. */
const finalOf = (ms, k) => ms.reduce((m, x) => (x[k] === null || x[k] === undefined ? m : Math.max(m ?? 0, x[k])), null);

function bar(actual, target, label) {
  if (target === null) return null;
  const f = target > 0 ? Math.min(1, actual / target) : 1;
  const pct = target > 0 ? (100 * actual) / target : 100;
  return el('div', { class: 'plan-bar' },
    el('span', { class: 'plan-bar-text', text: `${label}: ${num(actual, 1)} / ${num(target, 1)} (${num(pct, 1)} %)` }),
    el('span', { class: 'bar', role: 'img', 'aria-label': `${num(pct, 1)} %` },
      el('span', { style: `width:${(100 * f).toFixed(1)}%;background:${f >= 1 ? '#2b8a3e' : '#1971c2'}` })));
}

function projectionText(p) {
  if (p.kind === 'reached') return s('reached');
  if (p.kind === 'no_trend') return s('no_trend');
  return `${date(p.date)} — ${p.late ? s('late') : s('in_time')}`;
}

function row(p, ctx, onEdit) {
  const ms = p.milestones;
  const tr = el('tr', { class: `plan-row${p.status === 'cancelled' ? ' plan-cancelled' : ''}`, 'data-plan': p.id });
  tr.append(el('td', { 'data-label': s('area') },
    el('span', { class: 'muted', text: s('kind')[p.area.kind] }), el('br'), el('strong', { text: p.area.name })));
  tr.append(el('td', { 'data-label': s('plan') },
    el('span', { text: p.title }), p.status === 'cancelled' ? el('span', { class: 'plan-tag', text: ` (${s('cancelled')})` }) : null,
    el('div', { class: 'muted small', text: s('set_by', p.set_by, date(p.updated_at)) })));
  tr.append(el('td', { 'data-label': s('vs') },
    bar(p.actual.households, finalOf(ms, 'households'), s('households')),
    bar(p.actual.area_m2, finalOf(ms, 'area_m2'), s('handed'))));
  tr.append(el('td', { 'data-label': s('milestones') }, el('ul', { class: 'plan-ms' }, ms.map((m) => {
    const targets = [m.households !== null ? `${num(m.households, 0)} ${s('households')}` : null,
      m.area_m2 !== null ? area(m.area_m2) : null].filter(Boolean).join(', ');
    return el('li', { class: `ms-${m.state}` },
      el('span', { text: `${date(m.due)}: ${targets} — ` }),
      el('strong', { text: s('state')[m.state] }),
      m.days_overdue !== null ? el('span', { class: 'ms-overdue', text: ` (${s('overdue', m.days_overdue)})` }) : null);
  }))));
  const proj = el('td', { 'data-label': s('projection'), class: p.projection.late ? 'plan-late' : '' , text: projectionText(p.projection) });
  tr.append(proj);
  const actions = el('td', { class: 'plan-actions' });
  if (p.may_edit && p.status === 'active') {
    actions.append(el('button', { type: 'button', class: 'plan-edit', text: s('edit'), onclick: () => onEdit(p) }));
    actions.append(el('button', { type: 'button', class: 'plan-cancel', text: s('cancel_plan'), onclick: async () => {
      if (!window.confirm(s('confirm_cancel'))) return;
      try {
        await call(`/api/plans/${p.id}/cancel`, 'POST', { version: p.version });
        ctx.toast?.(s('cancelled_ok'));
        ctx.refresh?.();
      } catch (e) { ctx.toast?.(e.message); }
    } }));
  }
  tr.append(actions);
  return tr;
}

function milestoneRow(m = {}) {
  const li = el('li', { class: 'ms-edit' },
    el('label', {}, s('f_due'), el('input', { name: 'due', inputmode: 'numeric', value: m.due ? date(m.due) : '', required: true })),
    el('label', {}, s('f_h'), el('input', { name: 'households', inputmode: 'numeric', value: m.households ?? '' })),
    el('label', {}, s('f_a'), el('input', { name: 'area_m2', inputmode: 'decimal', value: m.area_m2 !== null && m.area_m2 !== undefined ? num(m.area_m2, 2) : '' })));
  li.append(el('button', { type: 'button', class: 'ms-remove', text: s('f_remove'), onclick: () => li.remove() }));
  return li;
}

function form(data, ctx, plan, close) {
  const f = el('form', { class: 'plan-form', novalidate: true });
  f.append(el('h4', { text: plan ? s('form_edit', plan.id) : s('form_new') }));
  const sel = el('select', { name: 'area', required: true });
  for (const kind of ['group', 'segment', 'cell']) {
    const og = el('optgroup', { label: s('kind')[kind] });
    for (const a of data.areas.filter((x) => x.kind === kind)) {
      og.append(el('option', { value: `${a.kind}\u0000${a.code}`, text: `${a.name} — ${s('totals', a.totals.households, area(a.totals.area_m2))}` }));
    }
    if (og.children.length) sel.append(og);
  }
  if (plan) sel.value = `${plan.area.kind}\u0000${plan.area.code}`;
  f.append(el('label', {}, s('f_area'), sel));
  f.append(el('label', {}, s('f_title'), el('input', { name: 'title', maxlength: 200, value: plan?.title ?? '', required: true })));
  f.append(el('label', {}, s('f_note'), el('textarea', { name: 'note', maxlength: 2000, rows: 2 }, plan?.note ?? '')));
  const list = el('ol', { class: 'ms-list' });
  for (const m of plan?.milestones ?? [{}]) list.append(milestoneRow(m));
  f.append(list);
  f.append(el('button', { type: 'button', class: 'ms-add', text: s('f_add_ms'), onclick: () => {
    if (list.children.length < (data.max_milestones ?? 24)) list.append(milestoneRow());
  } }));
  const err = el('p', { class: 'error', role: 'alert' });
  f.append(err);
  f.append(el('div', { class: 'plan-form-buttons' },
    el('button', { type: 'submit', class: 'primary', text: s('save') }),
    el('button', { type: 'button', text: s('close'), onclick: close })));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    const [kind, code] = sel.value.split('\u0000');
    const number = (v) => { const x = v.trim(); if (!x) return undefined; const n = parseNumber(x); return n === null ? x : n; };
    const body = {
      area_kind: kind, area_code: code, title: f.elements.title.value, note: f.elements.note.value || undefined,
      milestones: [...list.querySelectorAll('.ms-edit')].map((li) => {
        const due = li.querySelector('[name=due]').value;
        return { due: parseDate(due) ?? due, households: number(li.querySelector('[name=households]').value), area_m2: number(li.querySelector('[name=area_m2]').value) };
      }),
    };
    if (plan) body.version = plan.version;
    try {
      await call(plan ? `/api/plans/${plan.id}` : '/api/plans', plan ? 'PUT' : 'POST', body);
      ctx.toast?.(s('saved'));
      close();
      ctx.refresh?.();
    } catch (e) {
      err.textContent = e.message;
    }
  });
  return f;
}

async function render(root, ctx) {
  const q = ctx.asOf ? `?as_of=${encodeURIComponent(ctx.asOf)}` : '';
  const data = await call(`/api/plans${q}`);
  root.innerHTML = '';
  root.append(el('h3', { text: t('party_plans') }));
  // active before cancelled, and among them those with an overdue milestone first: the story at first sight
  data.plans.sort((a, b) => (a.status !== 'active') - (b.status !== 'active') || b.overdue - a.overdue);
  const active = data.plans.filter((p) => p.status === 'active');
  const late = active.reduce((n, p) => n + p.milestones.filter((m) => m.state === 'missed').length, 0);
  root.append(el('p', { class: 'plan-summary', text: s('summary', active.length, late) }));
  const formBox = el('div', { class: 'plan-form-box' });
  const open = (plan) => {
    formBox.innerHTML = '';
    formBox.append(form(data, ctx, plan, () => { formBox.innerHTML = ''; }));
    formBox.querySelector('[name=title]')?.focus();
  };
  if (data.may_plan) root.append(el('button', { type: 'button', class: 'plan-add', text: s('add'), onclick: () => open(null) }));
  root.append(formBox);
  if (!data.plans.length) { root.append(el('p', { class: 'muted', text: s('none') })); return; }
  const table = el('table', { class: 'plans-table' },
    el('thead', {}, el('tr', {}, ...[s('area'), s('plan'), s('vs'), s('milestones'), s('projection'), ''].map((h) => (h ? el('th', { text: h })
      : el('th', {}, el('span', { class: 'visually-hidden', text: s('actions') })))))), // the buttons' column, named for screen readers
    el('tbody', {}, data.plans.map((p) => row(p, ctx, open))));
  root.append(el('div', { class: 'plans-wrap' }, table));
}

registerPartySection('plans', 'party_plans', render);
