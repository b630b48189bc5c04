// Two sections of the "Công tác Đảng / Party work" tab:
// - "Đảng viên đi trước / Members going first": per party cell the share of members' own families
//   that went first and the members whose families have not agreed; per member the family's state
//   and the dates (GET /api/party/first: roles that read sensitive data; the server logs the read);
// - "Biểu dương / Commendation": the collectives and individuals commended this month
//   (GET /api/party/commendation: members are named only to roles that read sensitive data).
// The figures are the server's read model (src/campaign/first.rs), as in the reports.
import { registerPartySection } from '../party.js';
import { apiUrl } from '../api.js';
import { t, getLang, date } from '../i18n.js';
import { esc } from '../panels.js';

async function getJson(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const res = await fetch(apiUrl(q.toString() ? `${path}?${q}` : path), { credentials: 'same-origin' });
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    const e = new Error(body?.error?.message ?? `${res.status} ${res.statusText}`);
    e.status = res.status;
    throw e;
  }
  return body;
}

// one decimal always, as the reports print a share: 0,0 %, 45,2 %, 100,0 %
const pctFormat = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const pct = (x) => (x === null || x === undefined ? '—' : `${pctFormat.format(100 * x)} %`);
const en = () => getLang() === 'en';

registerPartySection('first', 'first_title', async (el, ctx) => {
  let data;
  try {
    data = await getJson('/api/party/first', { as_of: ctx.asOf });
  } catch (e) {
    if (e.status === 403 || e.status === 401) {
      el.innerHTML = `<h3>${t('first_title')}</h3><p class="muted">${t('first_restricted')}</p>`;
      return;
    }
    throw e;
  }
  const byCell = new Map();
  for (const m of data.members) {
    if (!byCell.has(m.cell)) byCell.set(m.cell, []);
    byCell.get(m.cell).push(m);
  }
  const cells = data.cells.map((c) => {
    const notYet = c.not_yet.length
      ? `<p class="first-not-yet"><strong>${t('first_not_yet')}:</strong> ${c.not_yet.map((m) => esc(m.name)).join(', ')}</p>`
      : `<p class="first-all">${c.families ? t('first_all_agreed') : t('first_no_families')}</p>`;
    const members = (byCell.get(c.code) ?? []).map((m) => `<tr class="${m.went_first ? 'first-yes' : m.affected && !m.agreed_on ? 'first-no' : ''}">
        <td>${esc(m.name)}</td><td>${esc(en() ? m.state_en : m.state)}</td>
        <td class="num">${m.agreed_on ? date(m.agreed_on) : '—'}</td><td class="num">${m.signed_on ? date(m.signed_on) : '—'}</td></tr>`).join('');
    return `<details class="first-cell" data-cell="${esc(c.code)}" open>
      <summary><strong>${esc(c.name)}</strong>: <span class="first-share">${pct(c.share)}</span>
        <span class="muted">(${t('first_counts', c.went_first, c.families)})</span></summary>
      ${notYet}
      <table class="first-members"><thead><tr><th>${t('first_member')}</th><th>${t('first_family')}</th>
        <th>${t('first_agreed_on')}</th><th>${t('first_signed_on')}</th></tr></thead><tbody>${members}</tbody></table>
    </details>`;
  }).join('');
  el.innerHTML = `<h3>${t('first_title')}</h3>
    <p class="muted small">${t('first_definition')}</p>${cells}`;
}, { ward: true });

registerPartySection('commendation', 'commend_title', async (el, ctx) => {
  const data = await getJson('/api/party/commendation', { as_of: ctx.asOf });
  const rows = data.rows.map((r) => `<li class="commend-${r.collective ? 'collective' : 'individual'}">
      <span class="commend-type">${esc(en() ? r.type_en : r.type)}</span> <strong>${esc(r.name)}</strong>:
      ${r.criteria.map((c) => esc(en() ? c.en : c.vi)).join('; ')}</li>`);
  const collectives = data.rows.filter((r) => r.collective).length;
  el.innerHTML = `<h3>${t('commend_title')}</h3>
    <p class="muted small">${t('commend_period', date(data.from), date(data.to))}${data.members_named ? '' : ` ${t('commend_no_members')}`}</p>
    ${rows.length ? `<p>${t('commend_counts', collectives, rows.length - collectives)}</p><ul class="commend-list">${rows.join('')}</ul>` : `<p>${t('commend_none')}</p>`}`;
});
