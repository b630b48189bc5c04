// "Kiểm tra, giám sát / Inspection": the Inspection Committee's section of the "Công tác Đảng"
// tab (src/api/inspections.rs). Shown to the roles that read inspections (inspection committee,
// standing committee, admin): whom hiendat proposes to inspect and why, with a button that opens
// the form pre-filled; the inspections with their required actions, the overdue ones flagged; the
// form and each action's follow-up for the roles that record inspections (inspection, admin).
import { registerPartySection } from '../party.js';
import { apiUrl } from '../api.js';
import { getLang, date, parseDate } from '../i18n.js';

const READERS = ['admin', 'standing', 'inspection'];
const WRITERS = ['admin', 'inspection'];

// Texts of this section (Vietnamese first; English when the page is in English).
const L = {
  vi: {
    proposals: 'Đề xuất kiểm tra', none_proposed: 'Không có đề xuất.', idle_days: 'Số ngày không tiếp xúc',
    record: 'Ghi cuộc kiểm tra', list: 'Các cuộc kiểm tra, giám sát', none: 'Chưa có cuộc kiểm tra nào.',
    form_new: 'Ghi cuộc kiểm tra, giám sát', form_edit: 'Sửa cuộc kiểm tra', subject_kind: 'Đối tượng',
    cell: 'Chi bộ', member: 'Đảng viên', subject: 'Chi bộ / đảng viên', kind: 'Hình thức',
    inspection: 'Kiểm tra', supervision: 'Giám sát', held_on: 'Ngày (dd/mm/yyyy)', scope: 'Nội dung, phạm vi',
    findings: 'Kết quả kiểm tra', conclusion: 'Kết luận', action: 'Yêu cầu khắc phục', deadline: 'Hạn (dd/mm/yyyy)',
    add_action: 'Thêm yêu cầu', save: 'Lưu', cancel: 'Hủy', edit: 'Sửa', follow_up: 'Theo dõi, đôn đốc',
    done_on: 'Ngày thực hiện xong (dd/mm/yyyy)', save_follow: 'Lưu theo dõi', overdue: (n) => `${n} yêu cầu quá hạn`,
    saved: 'Đã lưu', bad_date: (f) => `${f}: ngày không hợp lệ (dd/mm/yyyy)`, attach: 'Đính kèm biên bản (PDF, ảnh)',
    actions: 'Yêu cầu', no_actions: 'Không có yêu cầu khắc phục.', by: 'người ghi',
  },
  en: {
    proposals: 'Proposed for inspection', none_proposed: 'No proposals.', idle_days: 'Days without contact',
    record: 'Record an inspection', list: 'Inspections and supervision', none: 'No inspection recorded yet.',
    form_new: 'Record an inspection', form_edit: 'Edit the inspection', subject_kind: 'Subject',
    cell: 'Party cell', member: 'Party member', subject: 'Cell / member', kind: 'Kind',
    inspection: 'Inspection', supervision: 'Supervision', held_on: 'Date (dd/mm/yyyy)', scope: 'Scope',
    findings: 'Findings', conclusion: 'Conclusion', action: 'Required action', deadline: 'Deadline (dd/mm/yyyy)',
    add_action: 'Add an action', save: 'Save', cancel: 'Cancel', edit: 'Edit', follow_up: 'Follow-up',
    done_on: 'Done on (dd/mm/yyyy)', save_follow: 'Save follow-up', overdue: (n) => `${n} overdue action${n === 1 ? '' : 's'}`,
    saved: 'Saved', bad_date: (f) => `${f}: not a date (dd/mm/yyyy)`, attach: 'Attach the minutes (PDF, image)',
    actions: 'Actions', no_actions: 'No required action.', by: 'entered by',
  },
};
const tx = (k, ...a) => {
  const v = L[getLang()][k] ?? L.vi[k];
  return typeof v === 'function' ? v(...a) : v;
};

async function call(path, { method = 'GET', body } = {}) {
  const res = await fetch(apiUrl(path), {
    method, credentials: 'same-origin',
    headers: body ? { 'content-type': 'application/json' } : undefined,
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) throw new Error(json?.error?.message ?? `${res.status} ${res.statusText}`);
  return json;
}

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const today = (ctx) => ctx.today || new Date().toISOString().slice(0, 10);

/** A date typed dd/mm/yyyy (or blank when `optional`) as YYYY-MM-DD; throws naming the field. */
function isoOf(value, field, optional = false) {
  if (optional && !value.trim()) return null;
  const d = parseDate(value);
  if (!d) throw new Error(tx('bad_date', field));
  return d;
}

let idleDays = 30;

registerPartySection('inspections', 'party_inspections', async (el, ctx) => {
  const role = ctx.me?.role;
  if (!READERS.includes(role)) { el.hidden = true; el.innerHTML = ''; return; }
  el.hidden = false;
  const writes = WRITERS.includes(role);
  const [proposed, list, org] = await Promise.all([
    call(`/api/inspections/proposals?idle_days=${idleDays}`),
    call('/api/inspections'),
    writes ? call('/api/org') : Promise.resolve(null),
  ]);
  el.innerHTML = `
    <h3>${esc(getLang() === 'en' ? 'Inspection and supervision' : 'Kiểm tra, giám sát')}</h3>
    <details class="insp-proposals" open>
      <summary>${esc(tx('proposals'))} (${proposed.proposals.length})</summary>
      <label class="insp-idle">${esc(tx('idle_days'))} <input type="number" min="1" max="3650" id="insp-idle" value="${idleDays}"></label>
      <ul class="insp-list" id="insp-proposals"></ul>
    </details>
    <h4>${esc(tx('list'))}${list.overdue_actions ? ` <span class="badge overdue" id="insp-overdue">${esc(tx('overdue', list.overdue_actions))}</span>` : ''}</h4>
    <ul class="insp-list" id="insp-list"></ul>
    <div id="insp-form-box"></div>`;
  const pl = el.querySelector('#insp-proposals');
  if (!proposed.proposals.length) pl.innerHTML = `<li class="muted">${esc(tx('none_proposed'))}</li>`;
  for (const p of proposed.proposals) {
    const li = document.createElement('li');
    li.className = 'insp-proposal';
    li.dataset.subject = `${p.subject_kind}:${p.subject_code}`;
    li.innerHTML = `<strong>${esc(p.subject_name)}</strong> <span class="muted">(${esc(p.subject_code)}${p.cell ? `, ${esc(p.cell)}` : ''})</span>
      <ul class="insp-reasons">${p.reasons.map((r) => `<li data-reason="${esc(r.code)}">${esc(r.text)}</li>`).join('')}</ul>
      ${writes ? `<button type="button" class="btn small" data-propose>${esc(tx('record'))}</button>` : ''}`;
    li.querySelector('[data-propose]')?.addEventListener('click', () => openForm(el, ctx, org, {
      subject_kind: p.subject_kind, subject_code: p.subject_code, kind: 'inspection', held_on: today(ctx),
      scope: '', findings: p.reasons.map((r) => r.text).join('\n'), conclusion: '',
    }));
    pl.append(li);
  }
  el.querySelector('#insp-idle').addEventListener('change', (e) => {
    const n = Number(e.target.value);
    if (Number.isInteger(n) && n >= 1 && n <= 3650) { idleDays = n; ctx.refresh(); }
  });
  const ul = el.querySelector('#insp-list');
  if (!list.inspections.length) ul.innerHTML = `<li class="muted">${esc(tx('none'))}</li>`;
  for (const i of list.inspections) ul.append(inspectionItem(el, ctx, org, i, writes));
  if (writes) openForm(el, ctx, org, null);
});

function inspectionItem(el, ctx, org, i, writes) {
  const li = document.createElement('li');
  li.className = 'insp-item';
  li.dataset.inspection = i.id;
  const actions = i.actions.map((a) => `
    <li class="insp-action ${a.overdue ? 'overdue' : ''}" data-action="${a.id}">
      <span class="badge ${esc(a.state)}">${esc(a.state_label)}</span> ${esc(a.text)}
      <span class="muted">— ${esc(tx('deadline').replace(/ \(.*\)/, ''))}: ${date(a.deadline)}${a.done_on ? `; ${esc(tx('done_on').replace(/ \(.*\)/, ''))}: ${date(a.done_on)}` : ''}</span>
      ${a.follow_up ? `<div class="insp-follow">${esc(a.follow_up)}</div>` : ''}
      ${writes ? `<details class="insp-follow-box"><summary>${esc(tx('follow_up'))}</summary>
        <form class="edit insp-follow-form">
          <label>${esc(tx('follow_up'))}<textarea name="follow_up" rows="2" maxlength="4000">${esc(a.follow_up)}</textarea></label>
          <label>${esc(tx('done_on'))}<input name="done_on" value="${a.done_on ? date(a.done_on) : ''}" inputmode="numeric"></label>
          <p class="error" role="alert"></p>
          <button class="btn small primary" type="submit">${esc(tx('save_follow'))}</button>
        </form></details>` : ''}
    </li>`).join('');
  li.innerHTML = `
    <div class="insp-head"><strong>${date(i.held_on)}</strong> · ${esc(i.kind_label)} · ${esc(i.subject_name ?? i.subject_code)} <span class="muted">(${esc(i.subject_code)})</span>
      ${i.overdue ? `<span class="badge overdue">${esc(tx('overdue', i.overdue))}</span>` : ''}</div>
    <dl class="insp-text">
      <dt>${esc(tx('scope'))}</dt><dd>${esc(i.scope)}</dd>
      <dt>${esc(tx('findings'))}</dt><dd>${esc(i.findings)}</dd>
      ${i.conclusion ? `<dt>${esc(tx('conclusion'))}</dt><dd>${esc(i.conclusion)}</dd>` : ''}
    </dl>
    <ul class="insp-actions">${actions || `<li class="muted">${esc(tx('no_actions'))}</li>`}</ul>
    ${i.attachments.map((a) => `<a href="${esc(apiUrl(a.url))}" target="_blank" rel="noopener">${esc(a.file_name)}</a>`).join(' ')}
    <div class="muted insp-by">${esc(tx('by'))}: ${esc(i.entered_by)}</div>
    ${writes ? `<button type="button" class="btn small" data-edit>${esc(tx('edit'))}</button>` : ''}`;
  li.querySelector('[data-edit]')?.addEventListener('click', () => openForm(el, ctx, org, i));
  for (const a of i.actions) {
    const form = li.querySelector(`[data-action="${a.id}"] form`);
    form?.addEventListener('submit', async (e) => {
      e.preventDefault();
      const err = form.querySelector('.error');
      err.textContent = '';
      try {
        const body = {
          version: a.version, follow_up: form.follow_up.value,
          done_on: isoOf(form.done_on.value, 'done_on', true),
        };
        await call(`/api/inspections/${i.id}/actions/${a.id}`, { method: 'PUT', body });
        ctx.toast?.(tx('saved'));
        ctx.refresh();
      } catch (x) { err.textContent = x.message; }
    });
  }
  return li;
}

/** The form: a new inspection (`v` null or pre-filled from a proposal) or an edit (`v.id`). */
function openForm(el, ctx, org, v) {
  const box = el.querySelector('#insp-form-box');
  const editing = Boolean(v?.id);
  const options = (kind) => {
    const items = kind === 'cell'
      ? (org?.cells ?? []).map((c) => [c.code, c.name])
      : (org?.members ?? []).map((m) => [m.code, `${m.name} (${m.cell})`]);
    return items.map(([code, name]) => `<option value="${esc(code)}">${esc(code)} — ${esc(name)}</option>`).join('');
  };
  const kind0 = v?.subject_kind ?? 'member';
  box.innerHTML = `
    <form class="edit insp-form" id="insp-form" novalidate>
      <h4>${esc(tx(editing ? 'form_edit' : 'form_new'))}</h4>
      <div class="insp-grid">
        <label>${esc(tx('subject_kind'))}<select name="subject_kind" id="insp-subject-kind">
          <option value="member">${esc(tx('member'))}</option><option value="cell">${esc(tx('cell'))}</option></select></label>
        <label>${esc(tx('subject'))}<select name="subject_code" id="insp-subject">${options(kind0)}</select></label>
        <label>${esc(tx('kind'))}<select name="kind" id="insp-kind">
          <option value="inspection">${esc(tx('inspection'))}</option><option value="supervision">${esc(tx('supervision'))}</option></select></label>
        <label>${esc(tx('held_on'))}<input name="held_on" id="insp-held-on" inputmode="numeric" value="${date(v?.held_on ?? today(ctx))}"></label>
      </div>
      <label>${esc(tx('scope'))}<textarea name="scope" id="insp-scope" rows="2" maxlength="4000">${esc(v?.scope)}</textarea></label>
      <label>${esc(tx('findings'))}<textarea name="findings" id="insp-findings" rows="3" maxlength="4000">${esc(v?.findings)}</textarea></label>
      <label>${esc(tx('conclusion'))}<textarea name="conclusion" id="insp-conclusion" rows="2" maxlength="4000">${esc(v?.conclusion)}</textarea></label>
      ${editing ? '' : `<fieldset class="insp-new-actions"><legend>${esc(tx('actions'))}</legend><div id="insp-action-rows"></div>
        <button type="button" class="btn small" id="insp-add-action">${esc(tx('add_action'))}</button></fieldset>`}
      ${editing ? `<label>${esc(tx('attach'))}<input type="file" id="insp-file" accept="application/pdf,image/jpeg,image/png,image/webp"></label>` : ''}
      <p class="error" role="alert" id="insp-error"></p>
      <div class="insp-buttons"><button class="btn primary" type="submit" id="insp-save">${esc(tx('save'))}</button>
        ${editing || v ? `<button class="btn" type="button" id="insp-cancel">${esc(tx('cancel'))}</button>` : ''}</div>
    </form>`;
  const form = box.querySelector('form');
  form.subject_kind.value = kind0;
  if (v?.subject_code) {
    if (![...form.subject_code.options].some((o) => o.value === v.subject_code)) {
      form.subject_code.append(new Option(v.subject_code, v.subject_code));
    }
    form.subject_code.value = v.subject_code;
  }
  form.kind.value = v?.kind ?? 'inspection';
  form.subject_kind.addEventListener('change', () => { form.subject_code.innerHTML = options(form.subject_kind.value); });
  const rows = box.querySelector('#insp-action-rows');
  const addRow = () => {
    const d = document.createElement('div');
    d.className = 'insp-action-row';
    d.innerHTML = `<label>${esc(tx('action'))}<input name="action_text" maxlength="4000"></label>
      <label>${esc(tx('deadline'))}<input name="action_deadline" inputmode="numeric"></label>`;
    rows.append(d);
  };
  if (rows) { addRow(); box.querySelector('#insp-add-action').addEventListener('click', addRow); }
  box.querySelector('#insp-cancel')?.addEventListener('click', () => openForm(el, ctx, org, null));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const err = form.querySelector('.error');
    err.textContent = '';
    const btn = form.querySelector('#insp-save');
    btn.disabled = true;
    try {
      const body = {
        subject_kind: form.subject_kind.value, subject_code: form.subject_code.value, kind: form.kind.value,
        held_on: isoOf(form.held_on.value, 'held_on'), scope: form.scope.value, findings: form.findings.value,
        conclusion: form.conclusion.value,
      };
      if (editing) {
        body.version = v.version;
        await call(`/api/inspections/${v.id}`, { method: 'PUT', body });
        const file = form.querySelector('#insp-file')?.files?.[0];
        if (file) {
          const res = await fetch(apiUrl(`/api/inspections/${v.id}/attachments?name=${encodeURIComponent(file.name)}`), {
            method: 'POST', credentials: 'same-origin', headers: { 'content-type': file.type || 'application/octet-stream' }, body: file,
          });
          if (!res.ok) throw new Error((await res.json().catch(() => null))?.error?.message ?? `${res.status}`);
        }
      } else {
        body.actions = [...form.querySelectorAll('.insp-action-row')]
          .map((r) => [r.querySelector('[name=action_text]').value, r.querySelector('[name=action_deadline]').value])
          .filter(([text, d]) => text.trim() || d.trim())
          .map(([text, d]) => ({ text, deadline: isoOf(d, 'deadline') }));
        await call('/api/inspections', { method: 'POST', body });
      }
      ctx.toast?.(tx('saved'));
      ctx.refresh();
    } catch (x) {
      err.textContent = x.message;
    } finally {
      btn.disabled = false;
    }
  });
  if (v) form.scrollIntoView?.({ block: 'nearest' });
}
