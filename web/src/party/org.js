// "Tổ chức / Organisation" in the party tab: the party cells with their residential groups,
// secretary and members (each with the households assigned to them today, the read model's
// count), the committee members in charge of an area, and, for roles that may edit the
// organisation, forms to add, edit and remove each and to re-assign households to a member.
// Every item carries the version it was read at; the server's refusal (a stale version, a field
// it cannot take) is shown word for word. Each item's history: who changed what, when.
import { registerPartySection } from '../party.js';
import { apiUrl } from '../api.js';
import { t, getLang, date, parseDate, compareNames } from '../i18n.js';
import { esc } from '../panels.js';

const TEXT = {
  vi: {
    cells: 'Chi bộ', leads: 'Ủy viên phụ trách địa bàn', members: 'đảng viên', households: 'hộ được phân công',
    secretary: 'Bí thư', groups: 'Tổ dân phố', no_groups: 'chưa có tổ dân phố',
    add_cell: '+ Chi bộ', add_member: '+ Đảng viên', add_lead: '+ Ủy viên phụ trách', reassign: 'Phân công lại hộ',
    edit: 'Sửa', remove: 'Xóa', history: 'Lịch sử', save: 'Lưu', cancel: 'Hủy', confirm_remove: 'Xác nhận xóa',
    code: 'Mã', name: 'Họ tên / tên', cell: 'Chi bộ', role: 'Vai trò trong chi bộ', household: 'Thửa đất của gia đình',
    title: 'Chức vụ', area: 'Địa bàn', group: 'Tổ dân phố', segment: 'Đoạn tuyến', effective: 'Có hiệu lực từ ngày',
    member: 'Đảng viên nhận phân công', parcels: 'Các thửa (mã thửa, cách nhau bởi dấu phẩy)', from: 'Từ ngày',
    form_cell: 'Chi bộ', form_member: 'Đảng viên', form_lead: 'Ủy viên phụ trách', form_reassign: 'Phân công lại hộ gia đình',
    remove_q: (what) => `Xóa ${what}? Lịch sử vẫn được giữ.`,
    history_of: (what) => `Lịch sử: ${what}`, no_history: 'Chưa có thay đổi nào.',
    saved: 'Đã lưu', read_only: 'Vai trò của bạn chỉ được xem tổ chức.', not_allowed: 'Vai trò của bạn không xem được danh sách đảng viên.',
    bad_date: 'Ngày không hợp lệ (dd/mm/yyyy)', what_cell: 'chi bộ', what_member: 'đảng viên', what_lead: 'ủy viên phụ trách', what_assignment: 'phân công thửa',
    ch_added: 'thêm', ch_edited: 'sửa', ch_removed: 'xóa', ch_imported: 'nhập tệp', none: '—', all: 'mọi thay đổi gần đây', to_date: 'đến ngày', member_short: 'đảng viên',
  },
  en: {
    cells: 'Party cells', leads: 'Committee members in charge of areas', members: 'members', households: 'households assigned',
    secretary: 'Secretary', groups: 'Residential groups', no_groups: 'no residential group yet',
    add_cell: '+ Cell', add_member: '+ Member', add_lead: '+ Area lead', reassign: 'Re-assign households',
    edit: 'Edit', remove: 'Remove', history: 'History', save: 'Save', cancel: 'Cancel', confirm_remove: 'Confirm removal',
    code: 'Code', name: 'Name', cell: 'Cell', role: 'Role in the cell', household: "Own household's parcel",
    title: 'Title', area: 'Area', group: 'Residential group', segment: 'Segment', effective: 'In effect from',
    member: 'Member assigned', parcels: 'Parcels (ids, comma separated)', from: 'From',
    form_cell: 'Party cell', form_member: 'Party member', form_lead: 'Area lead', form_reassign: 'Re-assign households',
    remove_q: (what) => `Remove ${what}? Its history stays.`,
    history_of: (what) => `History: ${what}`, no_history: 'No change yet.',
    saved: 'Saved', read_only: 'Your role may only read the organisation.', not_allowed: 'Your role cannot read the party members.',
    bad_date: 'Not a date (dd/mm/yyyy)', what_cell: 'cell', what_member: 'member', what_lead: 'area lead', what_assignment: 'assignment of parcel',
    ch_added: 'added', ch_edited: 'edited', ch_removed: 'removed', ch_imported: 'imported', none: '—', all: 'recent changes', to_date: 'until', member_short: 'member',
  },
};
const L = (k, ...a) => { const v = TEXT[getLang()]?.[k] ?? TEXT.vi[k] ?? k; return typeof v === 'function' ? v(...a) : v; };

/** A JSON call; a refusal throws the server's message as it is. */
async function call(method, path, body) {
  const res = await fetch(apiUrl(path), {
    method, credentials: 'same-origin',
    headers: body ? { 'content-type': 'application/json' } : undefined,
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    const e = new Error(json?.error?.message ?? `${res.status} ${text.slice(0, 200)}`);
    e.status = res.status;
    throw e;
  }
  return json;
}

const enc = encodeURIComponent;
const btn = (label, attrs, cls = '') => `<button type="button" class="btn small ${cls}" ${attrs}>${esc(label)}</button>`;

function cellHtml(c, members, canEdit) {
  const mine = members.filter((m) => m.cell === c.code);
  const list = mine.map((m) => `<li class="org-member" data-member="${esc(m.code)}">
      <span class="org-text"><b>${esc(m.name)}</b> <span class="muted">(${esc(m.code)})</span>${m.role ? ` · ${esc(m.role)}` : ''}
        · <span class="org-assigned" data-assigned="${m.assigned}">${m.assigned} ${esc(L('households'))}</span></span>
      <span class="org-controls">${canEdit && c.may_edit ? btn(L('edit'), `data-edit-member="${esc(m.code)}"`) + btn(L('remove'), `data-remove-member="${esc(m.code)}"`, 'danger') : ''}${btn(L('history'), `data-history="member" data-code="${esc(m.code)}"`)}</span>
    </li>`).join('');
  return `<li class="org-cell" data-cell="${esc(c.code)}">
    <div class="org-head"><b>${esc(c.code)} — ${esc(c.name)}</b>
      <span class="muted">· ${c.groups.length ? esc(c.groups.join(', ')) : esc(L('no_groups'))}
      · ${esc(L('secretary'))}: ${esc(c.secretary || L('none'))} · ${c.members} ${esc(L('members'))}</span></div>
    <span class="org-controls">${canEdit && c.may_edit ? btn(L('edit'), `data-edit-cell="${esc(c.code)}"`) + btn(L('remove'), `data-remove-cell="${esc(c.code)}"`, 'danger') + btn(L('add_member'), `data-add-member="${esc(c.code)}"`) : ''}${btn(L('history'), `data-history="cell" data-code="${esc(c.code)}"`)}</span>
    ${list ? `<ul class="plain org-members">${list}</ul>` : ''}
  </li>`;
}

function leadHtml(l, canEdit) {
  const area = l.group ?? `${L('segment')} ${l.segment}`;
  return `<li class="org-lead" data-lead="${l.id}"><span class="org-text"><b>${esc(l.name)}</b>${l.title ? ` · ${esc(l.title)}` : ''} · ${esc(area)}</span>
    <span class="org-controls">${canEdit ? btn(L('edit'), `data-edit-lead="${l.id}"`) + btn(L('remove'), `data-remove-lead="${l.id}"`, 'danger') : ''}${btn(L('history'), `data-history="lead" data-code="${l.id}"`)}</span></li>`;
}

const field = (id, label, input) => `<label><span>${esc(label)}</span>${input}</label>`;
const input = (id, value = '', extra = '') => `<input id="${id}" name="${id}" value="${esc(value ?? '')}" autocomplete="off" ${extra}>`;
const select = (id, options, sel, blank = false) => `<select id="${id}" name="${id}">${blank ? '<option value=""></option>' : ''}${options
  .map(([v, label]) => `<option value="${esc(v)}"${String(v) === String(sel ?? '') ? ' selected' : ''}>${esc(label)}</option>`).join('')}</select>`;

/** The form for `kind` ('cell', 'member', 'lead', 'reassign', or 'remove-*'), filled from `item`. */
function formHtml(kind, item, org, today) {
  const eff = field('org-effective', L('effective'), input('org-effective', date(today), 'inputmode="numeric" placeholder="dd/mm/yyyy"'));
  const buttons = (label = L('save'), cls = 'primary') => `<p class="error" id="org-error" role="alert"></p>
    <p class="org-buttons"><button type="submit" class="btn ${cls}" id="org-save">${esc(label)}</button>
    <button type="button" class="btn" id="org-cancel">${esc(L('cancel'))}</button></p>`;
  const editing = item && !kind.startsWith('remove') && kind !== 'reassign' && item.version !== undefined;
  if (kind.startsWith('remove-')) {
    const what = kind.slice(7);
    const name = what === 'lead' ? item.name : `${item.code} — ${item.name}`;
    return `<h4>${esc(L('remove_q', `${L(`what_${what}`)} ${name}`))}</h4>${eff}${buttons(L('confirm_remove'), 'danger')}`;
  }
  if (kind === 'cell') {
    const groups = [...org.groups].sort(compareNames).map((g) => `<label class="check"><input type="checkbox" name="org-group" value="${esc(g)}"${item?.groups?.includes(g) ? ' checked' : ''}> ${esc(g)}</label>`).join('');
    return `<h4>${esc(L('form_cell'))}${editing ? ` ${esc(item.code)}` : ''}</h4>
      ${field('org-code', L('code'), input('org-code', item?.code, editing ? 'readonly' : 'placeholder="CB05"'))}
      ${field('org-name', L('name'), input('org-name', item?.name))}
      ${field('org-secretary', L('secretary'), input('org-secretary', item?.secretary))}
      <fieldset class="org-groups"><legend>${esc(L('groups'))}</legend>${groups}</fieldset>${eff}${buttons()}`;
  }
  if (kind === 'member') {
    const cells = org.cells.filter((c) => c.may_edit).map((c) => [c.code, `${c.code} — ${c.name}`]);
    return `<h4>${esc(L('form_member'))}${editing ? ` ${esc(item.code)}` : ''}</h4>
      ${field('org-code', L('code'), input('org-code', item?.code, editing ? 'readonly' : 'placeholder="DV050"'))}
      ${field('org-name', L('name'), input('org-name', item?.name))}
      ${field('org-cell', L('cell'), select('org-cell', cells, item?.cell))}
      ${field('org-role', L('role'), input('org-role', item?.role, 'placeholder="Đảng viên"'))}
      ${field('org-household', L('household'), input('org-household', item?.household_parcel))}${eff}${buttons()}`;
  }
  if (kind === 'lead') {
    const groups = [...org.groups].sort(compareNames).map((g) => [g, g]);
    const segments = org.segments.map((s) => [s.id, `${s.name} (${s.id})`]);
    return `<h4>${esc(L('form_lead'))}</h4>
      ${field('org-name', L('name'), input('org-name', item?.name))}
      ${field('org-title', L('title'), input('org-title', item?.title))}
      ${field('org-group', L('group'), select('org-group', groups, item?.group, true))}
      ${field('org-segment', L('segment'), select('org-segment', segments, item?.segment, true))}${eff}${buttons()}`;
  }
  const members = org.members.map((m) => [m.code, `${m.name} (${m.code})`]);
  return `<h4>${esc(L('form_reassign'))}</h4>
    ${field('org-member', L('member'), select('org-member', members, item?.code))}
    ${field('org-parcels', L('parcels'), `<textarea id="org-parcels" name="org-parcels" rows="2" placeholder="12, 15"></textarea>`)}
    ${field('org-from', L('from'), input('org-from', date(today), 'inputmode="numeric" placeholder="dd/mm/yyyy"'))}${buttons()}`;
}

/** The history's field names, as people read them. */
const KEY_LABEL = { code: 'code', name: 'name', cell: 'cell', role: 'role', household: 'household', secretary: 'secretary',
  groups: 'groups', title: 'title', group: 'group', segment: 'segment', member: 'member_short', from: 'from', to: 'to_date' };

/** '2026-12-05T05:27:00Z' → '05/12/2026 12:27', in the ward's time (Việt Nam). */
function enteredAt(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || '';
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** One history row: when, who, what changed (dates as people write them). */
function historyRow(h) {
  const show = (x) => (typeof x === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(x) ? date(x) : x);
  const vals = (v) => (v && typeof v === 'object' ? Object.entries(v)
    .filter(([k, x]) => k !== 'assignments' && x !== null && !(Array.isArray(x) && !x.length))
    .map(([k, x]) => `${L(KEY_LABEL[k] ?? k) ?? k}: ${Array.isArray(x) ? x.join(', ') : show(x)}`).join('; ') : '');
  // an edit: only what changed, before → after
  const diff = (a, b) => Object.keys({ ...a, ...b }).filter((k) => k !== 'assignments' && JSON.stringify(a[k] ?? null) !== JSON.stringify(b[k] ?? null))
    .map((k) => `${L(KEY_LABEL[k] ?? k)}: ${vals({ [k]: a[k] }).split(': ').slice(1).join(': ') || L('none')} → ${vals({ [k]: b[k] }).split(': ').slice(1).join(': ') || L('none')}`).join('; ');
  const change = h.before && h.after ? diff(h.before, h.after) : vals(h.after ?? h.before);
  return `<li class="org-change" data-change="${esc(h.change)}"><span class="muted">${esc(enteredAt(h.entered_at))}</span>
    · <b>${esc(h.entered_by)}</b> · ${esc(L(`ch_${h.change}`))} ${esc(L(`what_${h.what}`))} ${esc(h.item)}${h.effective ? ` (${esc(L('effective').toLowerCase())} ${esc(date(h.effective))})` : ''}
    <span class="line org-values">${esc(change)}</span></li>`;
}

async function render(el, ctx) {
  el.innerHTML = `<h3>${t('party_org')}</h3><p class="muted">…</p>`;
  let org;
  try {
    org = await call('GET', `/api/org/current${ctx.asOf ? `?as_of=${enc(ctx.asOf)}` : ''}`);
  } catch (e) {
    if (e.status === 403) { el.innerHTML = `<h3>${t('party_org')}</h3><p class="muted">${esc(L('not_allowed'))}</p>`; return; }
    throw e;
  }
  const canEdit = org.may_edit && !ctx.asOf;
  el.innerHTML = `<h3>${t('party_org')}</h3><div class="org" id="org-root">
    ${canEdit ? `<p class="org-toolbar">${btn(L('add_cell'), 'data-add-cell')}${btn(L('add_member'), 'data-add-member=""')}${btn(L('add_lead'), 'data-add-lead')}${btn(L('reassign'), 'data-reassign')}${btn(L('history'), 'data-history="" data-code=""')}</p>` : `<p class="muted">${esc(L('read_only'))}</p>${btn(L('history'), 'data-history="" data-code=""')}`}
    <form class="edit org-form" id="org-form" novalidate hidden></form>
    <h4>${esc(L('cells'))}</h4>
    <ul class="plain org-cells">${org.cells.map((c) => cellHtml(c, org.members, canEdit)).join('')}</ul>
    <h4>${esc(L('leads'))}</h4>
    <ul class="plain org-leads">${org.leads.map((l) => leadHtml(l, canEdit)).join('')}</ul>
    <section class="org-history" id="org-history" hidden aria-live="polite"></section></div>`;
  const form = el.querySelector('#org-form');
  const today = ctx.today || org.as_of;
  let open = null; // { kind, item }
  const show = (kind, item) => {
    open = { kind, item };
    form.innerHTML = formHtml(kind, item, org, today);
    form.hidden = false;
    form.querySelector('#org-cancel').addEventListener('click', () => { form.hidden = true; form.innerHTML = ''; open = null; });
    form.querySelector('input:not([readonly]), select, textarea')?.focus();
    form.scrollIntoView({ block: 'nearest' });
  };
  const find = (list, key, v) => org[list].find((x) => String(x[key]) === String(v));
  const root = el.querySelector('#org-root');
  root.addEventListener('click', async (ev) => {
    const b = ev.target.closest('button');
    if (!b || b.type === 'submit') return;
    const d = b.dataset;
    if ('addCell' in d) show('cell', null);
    else if ('addMember' in d) show('member', d.addMember ? { cell: d.addMember } : null);
    else if ('addLead' in d) show('lead', null);
    else if ('reassign' in d) show('reassign', null);
    else if (d.editCell) show('cell', find('cells', 'code', d.editCell));
    else if (d.removeCell) show('remove-cell', find('cells', 'code', d.removeCell));
    else if (d.editMember) show('member', find('members', 'code', d.editMember));
    else if (d.removeMember) show('remove-member', find('members', 'code', d.removeMember));
    else if (d.editLead) show('lead', find('leads', 'id', d.editLead));
    else if (d.removeLead) show('remove-lead', find('leads', 'id', d.removeLead));
    else if ('history' in d) await showHistory(el, d.history, d.code);
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const err = form.querySelector('#org-error');
    err.textContent = '';
    const v = (id) => form.querySelector(`#${id}`)?.value.trim() ?? '';
    const day = (id) => { const s = v(id); const iso = parseDate(s); if (s && !iso) throw new Error(`${L(id === 'org-from' ? 'from' : 'effective')}: ${L('bad_date')}`); return iso || undefined; };
    try {
      const { kind, item } = open;
      const editing = item && item.version !== undefined;
      let method = editing ? 'PUT' : 'POST';
      let path; let body;
      if (kind.startsWith('remove-')) {
        const what = kind.slice(7);
        method = 'DELETE';
        path = `/api/org/${what}s/${enc(what === 'lead' ? item.id : item.code)}`;
        body = { version: item.version, effective: day('org-effective') };
      } else if (kind === 'cell') {
        path = editing ? `/api/org/cells/${enc(item.code)}` : '/api/org/cells';
        body = { code: v('org-code'), name: v('org-name'), secretary: v('org-secretary') || null,
          groups: [...form.querySelectorAll('input[name="org-group"]:checked')].map((i) => i.value), effective: day('org-effective') };
      } else if (kind === 'member') {
        path = editing ? `/api/org/members/${enc(item.code)}` : '/api/org/members';
        body = { code: v('org-code'), name: v('org-name'), cell: v('org-cell'), role: v('org-role') || null,
          household: v('org-household') || null, effective: day('org-effective') };
      } else if (kind === 'lead') {
        path = editing ? `/api/org/leads/${item.id}` : '/api/org/leads';
        body = { name: v('org-name'), title: v('org-title') || null, group: v('org-group') || null,
          segment: v('org-segment') || null, effective: day('org-effective') };
      } else {
        path = '/api/org/assignments';
        body = { member: v('org-member'), parcels: v('org-parcels').split(/[\s,;]+/).filter(Boolean), from: day('org-from') };
      }
      if (editing && !kind.startsWith('remove-')) body.version = item.version;
      await call(method, path, body);
      ctx.toast?.(L('saved'));
      await render(el, ctx);
    } catch (e) {
      err.textContent = e.message ?? String(e);
    }
  });
}

async function showHistory(el, what, code) {
  const box = el.querySelector('#org-history');
  const rows = (await call('GET', `/api/org/history?what=${enc(what)}&code=${enc(code)}&limit=50`)).history;
  const title = what ? `${L(`what_${what}`)} ${code}` : L('all');
  box.innerHTML = `<h4>${esc(L('history_of', title))}</h4>
    ${rows.length ? `<ul class="plain org-changes">${rows.map(historyRow).join('')}</ul>` : `<p class="muted">${esc(L('no_history'))}</p>`}`;
  box.hidden = false;
  box.dataset.what = what;
  box.dataset.code = code;
  box.scrollIntoView({ block: 'nearest' });
}

registerPartySection('org', 'party_org', render, { ward: true });
