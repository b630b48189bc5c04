// "Đánh giá, xếp loại / Annual evaluation": for a year, each party member's and cell's
// criteria from the campaign's record (GET /api/evaluation), the band they suggest and the
// band the Standing Committee decided, with a form to decide (POST /api/evaluation/ratings)
// and the year's thresholds (PUT /api/evaluation/thresholds). Both writes carry the version
// the screen read: a newer one on the server is a 409, shown, and the section reloads.
import { registerPartySection } from '../party.js';
import { apiUrl } from '../api.js';
import { getLang, num, date } from '../i18n.js';

const TEXT = {
  vi: {
    year: 'Năm', download: 'Tải bảng Excel', as_of: 'Số liệu đến hết ngày',
    members: 'Đảng viên', cells: 'Chi bộ', code: 'Mã', name: 'Họ và tên', cell: 'Chi bộ',
    family: 'Gia đình đi trước', assigned: 'Hộ phân công', contacted: 'Đã tiếp cận',
    agreed: 'Đã đồng ý', handed_over: 'Đã bàn giao', visits: 'Lượt vận động trong năm',
    member_count: 'Số đảng viên', families: 'Gia đình đi trước / có nhà bị ảnh hưởng',
    affected: 'Hộ ảnh hưởng', plan: 'Kế hoạch', suggested: 'Mức gợi ý', decided: 'Đã quyết định',
    note: 'Nhận xét', decide: 'Quyết định', save: 'Lưu', cancel: 'Hủy', yes: 'Có', no: 'Không',
    short_of: 'Do tiêu chí', none_yet: 'Chưa quyết định', thresholds: 'Ngưỡng xếp loại',
    defaults: 'Đang dùng ngưỡng mặc định', set_by: (who, at) => `Ban Thường vụ đặt: ${who}, ${at}`,
    band: 'Mức', families_first: 'Gia đình đi trước (%)', contacted_pct: 'Tiếp cận (%)',
    agreed_pct: 'Đồng ý (%)', handed_pct: 'Bàn giao (%)', plan_met: 'Hoàn thành kế hoạch',
    saved: 'Đã lưu', no_access: 'Cần quyền xem dữ liệu của chi bộ, đảng viên.',
    decide_for: (n) => `Xếp loại: ${n}`, empty: 'Không có', by: 'bởi',
  },
  en: {
    year: 'Year', download: 'Download the Excel table', as_of: 'Figures to the end of',
    members: 'Party members', cells: 'Party cells', code: 'Code', name: 'Name', cell: 'Cell',
    family: 'Own family first', assigned: 'Assigned', contacted: 'Contacted',
    agreed: 'Agreed', handed_over: 'Handed over', visits: 'Visits in the year',
    member_count: 'Members', families: 'Families first / affected',
    affected: 'Affected households', plan: 'Plan', suggested: 'Suggested', decided: 'Decided',
    note: 'Note', decide: 'Decide', save: 'Save', cancel: 'Cancel', yes: 'Yes', no: 'No',
    short_of: 'Held back by', none_yet: 'Not decided', thresholds: 'Rating thresholds',
    defaults: 'The default thresholds apply', set_by: (who, at) => `Set by the committee: ${who}, ${at}`,
    band: 'Band', families_first: 'Own families first (%)', contacted_pct: 'Contacted (%)',
    agreed_pct: 'Agreed (%)', handed_pct: 'Handed over (%)', plan_met: 'Plan met',
    saved: 'Saved', no_access: 'Needs a role that reads the cells\' and members\' data.',
    decide_for: (n) => `Rating: ${n}`, empty: 'None', by: 'by',
  },
};

const BANDS = ['excellent', 'good', 'completed'];
const SHARES = ['families_first', 'contacted', 'agreed', 'handed_over'];
const SHARE_LABEL = { families_first: 'families_first', contacted: 'contacted_pct', agreed: 'agreed_pct', handed_over: 'handed_pct' };
const READERS = ['editor', 'admin', 'standing', 'inspection'];
const DECIDERS = ['admin', 'standing'];

function tx(key, ...args) {
  const v = TEXT[getLang()]?.[key] ?? TEXT.vi[key];
  return typeof v === 'function' ? v(...args) : v;
}

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

/** A band's label in the page's language: "Hoàn thành tốt nhiệm vụ" (Vietnamese first in vi). */
function bandLabel(b) {
  if (!b) return '—';
  const [vi, en] = String(b.label ?? '').split(' / ');
  return getLang() === 'en' ? `${en} (${vi})` : vi;
}

/** The criterion's label in the page's language. */
function criterion(label) {
  if (!label) return '';
  const [vi, en] = label.split(' / ');
  return getLang() === 'en' ? en : vi;
}

const share = (x) => (x === null || x === undefined ? '—' : `${num(x * 100, 1)} %`);
const yesNo = (v) => (v === null || v === undefined ? '—' : v ? tx('yes') : tx('no'));

async function call(path, { method = 'GET', body } = {}) {
  const res = await fetch(apiUrl(path), {
    method, credentials: 'same-origin',
    headers: body ? { 'content-type': 'application/json' } : undefined,
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    const e = new Error(data?.error?.message ?? `${res.status} ${res.statusText}`);
    e.status = res.status;
    throw e;
  }
  return data;
}

function decidedCell(d, canDecide) {
  const band = d ? `<span class="ev-band ev-${esc(d.band)}">${esc(bandLabel(d))}</span>` : `<span class="ev-undecided">${esc(tx('none_yet'))}</span>`;
  return canDecide ? `${band} <button type="button" class="ev-decide-btn">${esc(tx('decide'))}</button>` : band;
}

function suggestedCell(s) {
  const why = s.short_of ? `<small class="ev-why">${esc(tx('short_of'))}: ${esc(criterion(s.short_of_label))}</small>` : '';
  return `<span class="ev-band ev-${esc(s.band)}">${esc(bandLabel(s))}</span>${why}`;
}

function memberRows(list, canDecide) {
  return list.map((m) => `<tr data-kind="member" data-code="${esc(m.code)}">
    <td>${esc(m.code)}</td><td>${esc(m.name)}</td>
    <td>${suggestedCell(m.suggested)}</td><td class="ev-decided">${decidedCell(m.decided, canDecide)}</td>
    <td class="ev-note">${esc(m.decided?.note ?? '')}</td><td>${esc(m.cell_name ?? '')}</td>
    <td>${m.own_family ? `${yesNo(m.own_family.went_first)}${m.own_family.agreed_on ? ` <small>(${date(m.own_family.agreed_on)})</small>` : ''}` : '—'}</td>
    <td class="num">${num(m.assigned, 0)}</td><td class="num">${num(m.contacted, 0)}</td>
    <td class="num">${num(m.agreed, 0)} <small>${share(m.shares.agreed)}</small></td>
    <td class="num">${num(m.handed_over, 0)} <small>${share(m.shares.handed_over)}</small></td>
    <td class="num">${num(m.visits, 0)}</td><td>${yesNo(m.shares.plan_met)}</td>
  </tr>`).join('');
}

function cellRows(list, canDecide) {
  return list.map((c) => `<tr data-kind="cell" data-code="${esc(c.code)}">
    <td>${esc(c.code)}</td><td>${esc(c.name)}</td>
    <td>${suggestedCell(c.suggested)}</td><td class="ev-decided">${decidedCell(c.decided, canDecide)}</td>
    <td class="ev-note">${esc(c.decided?.note ?? '')}</td><td class="num">${num(c.members, 0)}</td>
    <td class="num">${num(c.families_first, 0)} / ${num(c.families, 0)} <small>${share(c.shares.families_first)}</small></td>
    <td class="num">${num(c.affected, 0)}</td>
    <td class="num">${num(c.agreed, 0)} <small>${share(c.shares.agreed)}</small></td>
    <td class="num">${num(c.handed_over, 0)} <small>${share(c.shares.handed_over)}</small></td>
    <td class="num">${num(c.visits, 0)}</td><td>${yesNo(c.shares.plan_met)}</td>
  </tr>`).join('');
}

const th = (keys) => `<tr>${keys.map((k) => `<th scope="col">${esc(tx(k))}</th>`).join('')}</tr>`;

function thresholdsForm(t, canDecide) {
  const head = `<tr><th scope="col">${esc(tx('band'))}</th>${SHARES.map((s) => `<th scope="col">${esc(tx(SHARE_LABEL[s]))}</th>`).join('')}<th scope="col">${esc(tx('plan_met'))}</th></tr>`;
  const labels = { excellent: 'Hoàn thành xuất sắc nhiệm vụ / excellent', good: 'Hoàn thành tốt nhiệm vụ / good', completed: 'Hoàn thành nhiệm vụ / completed' };
  const rows = BANDS.map((b) => `<tr><th scope="row">${esc(bandLabel({ label: labels[b] }))}</th>${SHARES.map((s) => `<td><input type="number" min="0" max="100" step="0.1" name="${b}.${s}" value="${Math.round(t[b][s] * 1000) / 10}" aria-label="${esc(`${bandLabel({ label: labels[b] })}: ${tx(SHARE_LABEL[s])}`)}" ${canDecide ? '' : 'disabled'}></td>`).join('')}<td><input type="checkbox" name="${b}.plan_met" ${t[b].plan_met ? 'checked' : ''} ${canDecide ? '' : 'disabled'} aria-label="${esc(`${bandLabel({ label: labels[b] })}: ${tx('plan_met')}`)}"></td></tr>`).join('');
  const who = t.defaults ? tx('defaults') : tx('set_by', t.set_by ?? '', date(t.set_at));
  return `<details class="ev-thresholds"><summary>${esc(tx('thresholds'))}</summary>
    <p class="muted">${esc(who)}</p>
    <form class="ev-thr-form"><div class="ev-scroll"><table class="ev-table">${head}${rows}</table></div>
    ${canDecide ? `<button type="submit">${esc(tx('save'))}</button>` : ''}</form></details>`;
}

function years(today) {
  const y = Number(String(today ?? '').slice(0, 4)) || new Date().getFullYear();
  return [y, y - 1, y - 2];
}

async function render(el, ctx) {
  const title = 'Đánh giá, xếp loại / Annual evaluation';
  const heading = `<h3>${esc(getLang() === 'en' ? 'Annual evaluation (Đánh giá, xếp loại)' : title)}</h3>`;
  if (!READERS.includes(ctx.me?.role)) {
    el.innerHTML = `${heading}<p class="muted">${esc(tx('no_access'))}</p>`;
    return;
  }
  const canDecide = DECIDERS.includes(ctx.me.role);
  const ys = years(ctx.today);
  const year = Number(el.dataset.year) || ys[0];
  const data = await call(`/api/evaluation?year=${year}`);
  el.innerHTML = `${heading}
    <div class="ev-bar">
      <label>${esc(tx('year'))} <select class="ev-year">${ys.map((y) => `<option ${y === year ? 'selected' : ''}>${y}</option>`).join('')}</select></label>
      <a class="ev-xlsx" href="${apiUrl(`/api/reports?by=evaluation&year=${year}&format=xlsx`)}" download>${esc(tx('download'))}</a>
    </div>
    <p class="muted">${esc(tx('as_of'))} ${date(data.as_of)}</p>
    <h4>${esc(tx('members'))}</h4>
    <div class="ev-scroll" tabindex="0" role="region" aria-label="${esc(tx('members'))}"><table class="ev-table ev-members">
      <thead>${th(['code', 'name', 'suggested', 'decided', 'note', 'cell', 'family', 'assigned', 'contacted', 'agreed', 'handed_over', 'visits', 'plan'])}</thead>
      <tbody>${memberRows(data.members, canDecide) || `<tr><td colspan="13">${esc(tx('empty'))}</td></tr>`}</tbody></table></div>
    <h4>${esc(tx('cells'))}</h4>
    <div class="ev-scroll" tabindex="0" role="region" aria-label="${esc(tx('cells'))}"><table class="ev-table ev-cells">
      <thead>${th(['code', 'cell', 'suggested', 'decided', 'note', 'member_count', 'families', 'affected', 'agreed', 'handed_over', 'visits', 'plan'])}</thead>
      <tbody>${cellRows(data.cells, canDecide) || `<tr><td colspan="12">${esc(tx('empty'))}</td></tr>`}</tbody></table></div>
    <form class="ev-decide" hidden>
      <h4 class="ev-decide-title"></h4>
      <label>${esc(tx('band'))} <select name="band">${data.bands.map((b) => `<option value="${esc(b.band)}">${esc(bandLabel(b))}</option>`).join('')}</select></label>
      <label>${esc(tx('note'))} <textarea name="note" maxlength="2000" rows="3"></textarea></label>
      <div class="ev-actions"><button type="submit">${esc(tx('save'))}</button> <button type="button" class="ev-cancel">${esc(tx('cancel'))}</button></div>
    </form>
    ${thresholdsForm(data.thresholds, canDecide)}`;

  el.querySelector('.ev-year').addEventListener('change', (e) => {
    el.dataset.year = e.target.value;
    render(el, ctx).catch((err) => ctx.toast(err.message));
  });
  const reload = () => render(el, ctx).catch((err) => ctx.toast(err.message));
  const form = el.querySelector('.ev-decide');
  let subject = null;
  for (const btn of el.querySelectorAll('.ev-decide-btn')) {
    btn.addEventListener('click', () => {
      const tr = btn.closest('tr');
      const list = tr.dataset.kind === 'member' ? data.members : data.cells;
      const s = list.find((x) => x.code === tr.dataset.code);
      subject = { kind: tr.dataset.kind, code: s.code, version: s.decided?.version ?? 0 };
      form.querySelector('.ev-decide-title').textContent = tx('decide_for', `${s.name} (${s.code})`);
      form.band.value = s.decided?.band ?? s.suggested.band;
      form.note.value = s.decided?.note ?? '';
      form.hidden = false;
      form.band.focus();
    });
  }
  form.querySelector('.ev-cancel').addEventListener('click', () => { form.hidden = true; });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await call('/api/evaluation/ratings', {
        method: 'POST',
        body: { year, kind: subject.kind, subject: subject.code, band: form.band.value, note: form.note.value, version: subject.version },
      });
      ctx.toast(tx('saved'));
    } catch (err) {
      ctx.toast(err.message);
    }
    reload();
  });
  const thr = el.querySelector('.ev-thr-form');
  thr.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { version: data.thresholds.version };
    for (const b of BANDS) {
      body[b] = { plan_met: thr.elements[`${b}.plan_met`].checked };
      for (const s of SHARES) body[b][s] = Number(thr.elements[`${b}.${s}`].value) / 100;
    }
    try {
      await call(`/api/evaluation/thresholds?year=${year}`, { method: 'PUT', body });
      ctx.toast(tx('saved'));
    } catch (err) {
      ctx.toast(err.message);
    }
    reload();
  });
}

registerPartySection('evaluation', 'evaluation_title', render, { ward: true });
