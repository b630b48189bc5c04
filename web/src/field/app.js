// "Việc của tôi / My households" (issue 15): the party member's phone page, web/field.html.
// The households come from GET /api/my/households, already ordered by what needs doing; the
// page works offline through the service worker (web/sw.js), which keeps the shell and the data
// and queues the writes made without a network (web/src/field/queue.js). Every write carries an
// Idempotency-Key and the household's If-Match; a 412 is shown to the member, who decides.
import { statusLabel, fold, date, parseDate, num } from '../i18n.js';
import * as Q from './queue.js';

const $ = (s) => document.querySelector(s);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const NEXT_STEP = {
  first_visit: 'Đến gặp lần đầu / First visit',
  visit_again: 'Đến gặp lại / Visit again',
  keep_persuading: 'Tiếp tục vận động / Keep persuading',
  sign_record: 'Ký biên bản hiến đất / Sign the donation record',
  hand_over: 'Bàn giao mặt bằng / Hand over the site',
  done: 'Đã xong / Done',
};
// the statuses a member may record from the field (signing needs the record filed with it)
const FIELD_STATUSES = ['persuading', 'declined', 'agreed'];

const state = {
  data: null, // the FeatureCollection of /api/my/households
  byId: new Map(), // parcel id → feature properties
  etags: new Map(), // parcel id → the ETag the page's next write is based on
  queue: [], // the queued writes (IndexedDB)
  onlineConflicts: [], // 412s met by writes made online: { id, parcel, path, body, type, problem }
  open: null, // the parcel shown in detail
  detail: null, // its GET /api/parcels/{id}
  map: null,
  delivered: [], // the queued writes the worker sent while this page was open, in order
  user: null, // the logged-in user's name (/api/me): the queue shows and sends their writes only
};
window.hiendatField = state;
window.hiendatFieldQueue = Q.all; // for the tests and the benchmark

// ------------------------------------------------------------------ loading

const query = new URLSearchParams(location.search);
const householdsUrl = query.get('member') ? `/api/my/households?member=${encodeURIComponent(query.get('member'))}` : '/api/my/households';

async function load() {
  let res = null;
  const first = window.hiendatFieldFirst;
  window.hiendatFieldFirst = null;
  try {
    res = (first && (await first)) || (await fetch(householdsUrl, { credentials: 'same-origin' }));
  } catch {
    return showStatus('Không có mạng và chưa có dữ liệu lưu trên máy. / Offline, and nothing saved on this phone yet.');
  }
  if (res.status === 401) return showLogin();
  if (!res.ok) {
    let msg = `${res.status}`;
    try { const j = await res.json(); msg = j.error?.message ?? j.message ?? msg; } catch { /* not JSON */ }
    return showStatus(`Không tải được danh sách hộ / Could not load the households: ${msg}`);
  }
  state.data = await res.json();
  // who is logged in: the queue's writes are each user's own (the worker keeps this answer too)
  fetch('/api/me', { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : null))
    .then((me) => { state.user = me?.user?.name ?? state.user; return refreshQueue(); }).catch(() => {});
  state.byId = new Map(state.data.features.map((f) => [String(f.properties.parcel), f.properties]));
  for (const [id, p] of state.byId) if (p.etag && !state.etags.has(id)) state.etags.set(id, p.etag);
  $('#f-login').hidden = true;
  $('#f-search').hidden = false;
  $('#f-map-btn').hidden = false;
  $('#f-logout').hidden = false;
  const m = state.data.member;
  $('#f-who').textContent = m ? `${m.name}${m.cell ? ` · ${m.cell}` : ''} · ${date(state.data.as_of)}` : date(state.data.as_of);
  await refreshQueue();
  renderList();
  performance.mark('field-list');
  document.body.dataset.ready = '1';
  if (state.open) renderDetail();
  if (state.map) paintMap();
}

function showStatus(text) {
  $('#f-status').hidden = false;
  $('#f-status').textContent = text;
  document.body.dataset.ready = '1';
}

function showLogin() {
  $('#f-status').hidden = true;
  $('#f-login').hidden = false;
  $('#f-search').hidden = true;
  $('#f-map-btn').hidden = true;
  document.body.dataset.ready = '1';
  $('#f-login [name=name]').focus();
}

$('#f-login').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target;
  $('#f-login-error').textContent = '';
  try {
    const res = await fetch('/api/login', {
      method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: f.name.value.trim(), password: f.password.value }),
    });
    if (!res.ok) {
      let msg = `${res.status}`;
      try { const j = await res.json(); msg = j.error?.message ?? msg; } catch { /* not JSON */ }
      $('#f-login-error').textContent = msg;
      return;
    }
  } catch {
    $('#f-login-error').textContent = 'Không có mạng / No network';
    return;
  }
  f.password.value = '';
  $('#f-status').hidden = false;
  $('#f-status').textContent = 'Đang tải… / Loading…';
  await load();
  sync();
});

$('#f-logout').addEventListener('click', async () => {
  const waiting = state.queue.length;
  if (waiting && !confirm(`Còn ${waiting} việc chưa gửi; đăng xuất sẽ bỏ chúng. / ${waiting} writes not sent yet; logging out drops them.`)) return;
  try { await fetch('/api/logout', { method: 'POST', credentials: 'same-origin' }); } catch { /* offline: the session ends on the server later */ }
  await Q.clear();
  navigator.serviceWorker?.controller?.postMessage({ type: 'forget' });
  location.reload();
});

// ------------------------------------------------------------------ the list

function matches(p, words) {
  if (!words.length) return true;
  const hay = fold([p.head_name, p.address, p.map_sheet, p.parcel_no, `${p.map_sheet}/${p.parcel_no}`, p.group].join(' '));
  return words.every((w) => hay.includes(w));
}

function pendingOf(id) {
  return state.queue.filter((q) => q.parcel === id);
}

function lastVisit(p) {
  if (!p.last_contact) return 'Chưa gặp lần nào / Not visited yet';
  const days = p.days_since_contact;
  return `Lần gặp cuối / Last visit: ${date(p.last_contact.on)}${days != null ? ` (${num(days, 0)} ngày / days)` : ''}`;
}

const sheetNo = (p) => `Tờ ${esc(p.map_sheet)}, thửa ${esc(p.parcel_no)} / Sheet ${esc(p.map_sheet)}, parcel ${esc(p.parcel_no)}`;
const telOf = (phone) => `tel:${String(phone).replace(/[^\d+]/g, '')}`;
const statusBadge = (s) => `<span class="hh-status st-${esc(s)}">${esc(statusLabel(s))}</span>`;
const familyBadge = (p) => (p.own_family ? '<span class="hh-family">Gia đình đảng viên / Member\'s family</span>' : '');

const FIRST_ITEMS = 30;
const CHUNK_ITEMS = 100;
let renderRun = 0;

function renderList() {
  const words = fold($('#f-search').value).split(/\s+/).filter(Boolean);
  const shown = state.data.features.map((f) => f.properties).filter((p) => matches(p, words));
  const list = $('#f-list');
  const item = (p) => {
    const id = String(p.parcel);
    const waiting = pendingOf(id).filter((q) => q.state === 'pending').length;
    const held = pendingOf(id).length - waiting;
    return `<li class="hh${p.own_family ? ' own' : ''}" data-parcel="${esc(id)}">
      <button type="button" class="hh-open">
        <span class="hh-line"><span class="hh-head">${esc(p.head_name || '—')}</span>${familyBadge(p)}</span>
        <span class="hh-addr">${esc(p.address || '')}</span>
        <span class="hh-meta">${sheetNo(p)}${p.group ? ` · ${esc(p.group)}` : ''}</span>
        <span class="hh-line">${statusBadge(p.status)}${waiting ? `<span class="hh-pending">Chờ gửi / Pending: ${waiting}</span>` : ''}${held ? '<span class="hh-family">Xung đột / Conflict</span>' : ''}</span>
        <span class="hh-last">${esc(lastVisit(p))}</span>
        <span class="hh-next">Việc tiếp theo / Next: <b>${esc(NEXT_STEP[p.next_step] ?? p.next_step ?? '—')}</b></span>
      </button>
      ${p.phone ? `<a class="hh-tel" href="${esc(telOf(p.phone))}" aria-label="Gọi / Call ${esc(p.head_name)}">☎ ${esc(p.phone)}</a>` : ''}
    </li>`;
  };
  // the first screenful at once, the rest in chunks, so that a long list shows at once on a slow phone
  const run = ++renderRun;
  list.innerHTML = shown.slice(0, FIRST_ITEMS).map(item).join('');
  delete list.dataset.complete;
  const more = (from) => {
    if (run !== renderRun) return;
    if (from >= shown.length) { list.dataset.complete = '1'; return; }
    list.insertAdjacentHTML('beforeend', shown.slice(from, from + CHUNK_ITEMS).map(item).join(''));
    setTimeout(() => more(from + CHUNK_ITEMS), 0);
  };
  more(FIRST_ITEMS);
  const total = state.data.features.length;
  $('#f-status').hidden = shown.length > 0 && !state.data.truncated;
  $('#f-status').textContent = state.data.truncated && shown.length
    ? `Hiển thị ${num(total, 0)} trên ${num(state.data.total, 0)} hộ, việc cần làm trước / The first ${num(total, 0)} of ${num(state.data.total, 0)} households`
    : total ? 'Không có hộ nào khớp / No household matches' : 'Chưa được phân công hộ nào / No households assigned';
}

$('#f-search').addEventListener('input', () => state.data && renderList());
$('#f-list').addEventListener('click', (e) => {
  const b = e.target.closest('.hh-open');
  if (b) openDetail(b.closest('li').dataset.parcel);
});

// ------------------------------------------------------------------ the detail

async function openDetail(id) {
  state.open = id;
  state.detail = null;
  $('#f-view-list').hidden = true;
  $('#f-detail').hidden = false;
  renderDetail();
  window.scrollTo(0, 0);
  try {
    const res = await fetch(`/api/parcels/${encodeURIComponent(id)}`, { credentials: 'same-origin' });
    if (res.ok && state.open === id) {
      state.detail = await res.json();
      const etag = res.headers.get('etag');
      // the page's own writes that wait in the queue were made on the version it knew
      if (etag && !pendingOf(id).length) state.etags.set(id, etag);
      renderHistory();
    }
  } catch { /* offline and never opened: the list's facts are shown */ }
}

function closeDetail() {
  state.open = null;
  $('#f-detail').hidden = true;
  $('#f-view-list').hidden = false;
}

const today = () => date(state.data?.as_of ?? new Date().toISOString().slice(0, 10));

function renderDetail() {
  const id = state.open;
  const p = state.byId.get(id);
  if (!p) return closeDetail();
  const el = $('#f-detail');
  el.innerHTML = `
    <button type="button" class="f-back">← Danh sách / List</button>
    <div class="f-card">
      <h2>${esc(p.head_name || '—')} ${familyBadge(p)}</h2>
      <p>${esc(p.address || '')}</p>
      <p class="hh-meta">${sheetNo(p)}${p.group ? ` · ${esc(p.group)}` : ''}</p>
      <p>${statusBadge(p.status)}${p.status_since ? ` từ / since ${date(p.status_since)}` : ''}</p>
      <p>${esc(lastVisit(p))}${p.last_contact?.summary ? ` — ${esc(p.last_contact.summary)}` : ''}</p>
      <p>Việc tiếp theo / Next: <b>${esc(NEXT_STEP[p.next_step] ?? '—')}</b></p>
      ${p.phone ? `<p><a class="hh-tel big" href="${esc(telOf(p.phone))}">☎ Gọi / Call ${esc(p.phone)}</a></p>` : ''}
    </div>
    <ul class="f-queued" id="f-queued"></ul>
    <details class="f-card f-act" open><summary>Ghi lần gặp / Log a visit</summary>
      <form id="f-visit" novalidate>
        <label>Ngày / Date <input name="on" value="${today()}" inputmode="numeric"></label>
        <label>Nội dung / Summary <textarea name="summary" rows="3"></textarea></label>
        <button type="submit">Lưu lần gặp / Save the visit</button><p class="f-error" role="alert"></p>
      </form></details>
    <details class="f-card f-act"><summary>Đổi trạng thái / Change status</summary>
      <form id="f-status-form" novalidate>
        <label>Trạng thái mới / New status <select name="status">${FIELD_STATUSES.map((s) => `<option value="${s}">${esc(statusLabel(s))}</option>`).join('')}</select></label>
        <label>Ngày / Date <input name="on" value="${today()}" inputmode="numeric"></label>
        <label>Ghi chú / Note <textarea name="note" rows="2"></textarea></label>
        <button type="submit">Lưu trạng thái / Save the status</button><p class="f-error" role="alert"></p>
      </form></details>
    <details class="f-card f-act"><summary>Ghi kiến nghị / Raise a grievance</summary>
      <form id="f-grievance" novalidate>
        <label>Người nêu / Raised by <input name="by" value="${esc(p.head_name || '')}"></label>
        <label>Ngày / Date <input name="on" value="${today()}" inputmode="numeric"></label>
        <label>Nội dung / Content <textarea name="content" rows="3"></textarea></label>
        <button type="submit">Lưu kiến nghị / Save the grievance</button><p class="f-error" role="alert"></p>
      </form></details>
    <details class="f-card f-act"><summary>Chụp ảnh / Take a photo</summary>
      <form id="f-photo" novalidate>
        <label class="f-file">Ảnh biên bản đã ký / Photo of the signed record
          <input type="file" name="record" accept="image/*" capture="environment"></label>
        <label class="f-file">Ảnh hiện trạng / Photo of the site
          <input type="file" name="site" accept="image/*" capture="environment"></label>
        <p class="f-error" role="alert"></p>
      </form></details>
    <div class="f-card"><h3>Lịch sử / History</h3><ol id="f-history" class="f-history"><li>—</li></ol></div>`;
  el.querySelector('.f-back').addEventListener('click', closeDetail);
  el.querySelector('#f-visit').addEventListener('submit', (e) => onVisit(e, id));
  el.querySelector('#f-status-form').addEventListener('submit', (e) => onStatus(e, id));
  el.querySelector('#f-grievance').addEventListener('submit', (e) => onGrievance(e, id));
  for (const input of el.querySelectorAll('#f-photo input[type=file]')) input.addEventListener('change', (e) => onPhoto(e, id));
  renderQueued();
  renderHistory();
}

function renderHistory() {
  const ol = $('#f-history');
  const h = state.detail?.properties?.history;
  if (!ol || !h) return;
  ol.innerHTML = h.length ? h.slice().reverse().map((e) => `<li>${date(e.occurred_on)} · ${esc(statusLabel(e.status))}${e.entered_by ? ` · ${esc(e.entered_by)}` : ''}${e.note ? ` — ${esc(e.note)}` : ''}</li>`).join('') : '<li>—</li>';
  // the statuses the server allows next (signing is filed with its record, on the full page)
  const next = state.detail.properties.next_statuses?.filter((s) => s !== 'signed' && s !== 'handed_over');
  const sel = document.querySelector('#f-status-form select[name=status]');
  if (sel && next?.length) sel.innerHTML = next.map((s) => `<option value="${s}">${esc(statusLabel(s))}</option>`).join('');
}

function renderQueued() {
  const ul = $('#f-queued');
  if (!ul) return;
  ul.innerHTML = pendingOf(state.open).map((q) => `<li class="f-q ${q.state}">${q.state === 'pending' ? '⏳ Chờ gửi / Pending' : '⚠ Chưa gửi được / Not sent'}: ${esc(describe(q))}</li>`).join('');
}

// ------------------------------------------------------------------ writes

/** What a write does, in words. */
function describe(w) {
  let b = {};
  if (typeof w.body === 'string') { try { b = JSON.parse(w.body) || {}; } catch { /* not JSON */ } }
  const path = new URL(w.url ?? w.path, location.origin).pathname;
  if (path.endsWith('/events')) return `Đổi trạng thái / Status: ${statusLabel(b.status)} (${date(b.occurred_on)})${b.note ? ` — ${b.note}` : ''}`;
  if (path.endsWith('/contacts')) return `Lần gặp / Visit ${date(b.contacted_on)}: ${b.summary ?? ''}`;
  if (path.endsWith('/grievances')) return `Kiến nghị / Grievance ${date(b.raised_on)}: ${b.content ?? ''}`;
  if (path.endsWith('/attachments')) return `Ảnh / Photo: ${new URL(w.url ?? w.path, location.origin).searchParams.get('caption') ?? ''}`;
  return `${w.method ?? 'POST'} ${path}`;
}

function formError(form, text) {
  form.querySelector('.f-error').textContent = text;
  return null;
}

function dateOf(form) {
  const iso = parseDate(form.on.value);
  if (!iso) return formError(form, 'Ngày / Date: không đúng dạng ngày/tháng/năm / not a day/month/year date');
  if (state.data?.as_of && iso > state.data.as_of) return formError(form, 'Ngày / Date: chưa đến ngày này / this day has not come yet');
  return iso;
}

function onVisit(e, id) {
  e.preventDefault();
  const f = e.target;
  const on = dateOf(f);
  if (!on) return;
  const summary = f.summary.value.trim();
  if (!summary) return formError(f, 'Nội dung / Summary: cần ghi nội dung lần gặp / required');
  write(f, id, `/api/parcels/${encodeURIComponent(id)}/contacts`, { contacted_on: on, member: state.data.member?.code ?? '', summary });
}

function onStatus(e, id) {
  e.preventDefault();
  const f = e.target;
  const on = dateOf(f);
  if (!on) return;
  const body = { status: f.status.value, occurred_on: on };
  if (f.note.value.trim()) body.note = f.note.value.trim();
  if (state.data.member?.code) body.party_member = state.data.member.code;
  write(f, id, `/api/parcels/${encodeURIComponent(id)}/events`, body);
}

function onGrievance(e, id) {
  e.preventDefault();
  const f = e.target;
  const on = dateOf(f);
  if (!on) return;
  const content = f.content.value.trim();
  if (!content) return formError(f, 'Nội dung / Content: cần ghi nội dung kiến nghị / required');
  if (!f.by.value.trim()) return formError(f, 'Người nêu / Raised by: cần ghi / required');
  write(f, id, `/api/parcels/${encodeURIComponent(id)}/grievances`, { raised_on: on, raised_by: f.by.value.trim(), content });
}

async function onPhoto(e, id) {
  const input = e.target;
  const f = input.form;
  const file = input.files?.[0];
  if (!file) return;
  formError(f, '');
  let shrunk;
  try {
    const { shrink } = await import('./photo.js');
    shrunk = await shrink(file);
  } catch (err) {
    return formError(f, `Ảnh / Photo: ${err.message}`);
  }
  const what = input.name === 'record' ? 'bien-ban' : 'hien-truong';
  const caption = input.name === 'record' ? 'Ảnh biên bản đã ký / Photo of the signed record' : 'Ảnh hiện trạng / Photo of the site';
  const q = new URLSearchParams({ name: `${what}-${state.data.as_of ?? 'anh'}.jpg`, caption });
  await write(f, id, `/api/parcels/${encodeURIComponent(id)}/attachments?${q}`, shrunk.blob, 'image/jpeg');
  input.value = '';
}

/**
 * Sends one write with its Idempotency-Key and If-Match: sent, queued by the service worker
 * (202 queued), queued here (no worker yet and no network), or a conflict shown to the member.
 */
async function write(form, parcel, path, body, type = 'application/json') {
  const payload = type === 'application/json' ? JSON.stringify(body) : body;
  const key = Q.newKey();
  const ifMatch = state.etags.get(parcel) ?? null;
  const button = form.querySelector('button[type=submit]');
  if (button) button.disabled = true;
  formError(form, '');
  try {
    let res;
    try {
      res = await send(path, payload, type, key, ifMatch);
    } catch {
      // no service worker to queue it (the page's first visit): queued here, sent by the worker later
      await Q.add({ user: state.user ?? null, key, method: 'POST', url: path, type, body: payload, ifMatch, parcel, made: new Date().toISOString(), state: 'pending', problem: null });
      return done(form, 'Đã lưu trên máy, sẽ gửi khi có mạng / Saved on this phone; sent when online');
    }
    if (res.status === 202) {
      return done(form, 'Đã lưu trên máy, sẽ gửi khi có mạng / Saved on this phone; sent when online');
    }
    if (res.ok) {
      const etag = res.headers.get('etag');
      if (etag) state.etags.set(parcel, etag);
      await done(form, 'Đã gửi / Sent');
      return load();
    }
    const j = await res.json().catch(() => ({}));
    if (res.status === 412 || res.status === 409) {
      state.onlineConflicts.push({ id: key, parcel, url: path, body: payload, type, ifMatch, problem: { status: res.status, message: j.message ?? j.error?.message, current: j.current ?? null, etag: res.headers.get('etag') } });
      renderConflicts();
      return formError(form, 'Xung đột / Conflict: xem ở đầu trang / see the top of the page');
    }
    return formError(form, j.error?.message ?? j.message ?? `${res.status}`);
  } finally {
    if (button) button.disabled = false;
  }
}

function send(path, payload, type, key, ifMatch) {
  const headers = { 'content-type': type, 'idempotency-key': key };
  if (ifMatch) headers['if-match'] = ifMatch;
  return fetch(path, { method: 'POST', credentials: 'same-origin', headers, body: payload });
}

async function done(form, text) {
  form.reset();
  for (const el of form.querySelectorAll('input[name=on]')) el.value = today();
  const by = form.querySelector('input[name=by]');
  if (by) by.value = state.byId.get(state.open)?.head_name ?? '';
  toast(text);
  await refreshQueue();
}

let toastTimer = null;
function toast(text) {
  let t = $('#f-toast');
  if (!t) {
    t = document.createElement('p');
    t.id = 'f-toast';
    t.className = 'f-toast';
    t.setAttribute('role', 'status');
    document.body.append(t);
  }
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 4000);
}

// ------------------------------------------------------------------ queue and conflicts

async function refreshQueue() {
  try { state.queue = (await Q.all()).filter((q) => !q.user || !state.user || q.user === state.user); } catch { state.queue = []; }
  const pending = state.queue.filter((q) => q.state === 'pending').length;
  const p = $('#f-pending');
  p.hidden = !pending;
  p.textContent = `⏳ ${pending} việc chờ gửi khi có mạng / ${pending} writes waiting for the network`;
  renderConflicts();
  if (state.data && !$('#f-view-list').hidden) renderList();
  renderQueued();
}

function theirs(current) {
  const p = current?.properties ?? current;
  if (!p) return 'Đã có thay đổi mới hơn / A newer change was made';
  const last = p.history?.[p.history.length - 1];
  const status = p.status ?? last?.status;
  return `${esc(statusLabel(status))}${last ? ` — ${date(last.occurred_on)}${last.entered_by ? `, ${esc(last.entered_by)}` : ''}${last.note ? `: ${esc(last.note)}` : ''}` : ''}`;
}

function renderConflicts() {
  const held = [
    ...state.queue.filter((q) => q.state !== 'pending').map((q) => ({ ...q, where: 'queue' })),
    ...state.onlineConflicts.map((c) => ({ ...c, where: 'online', state: 'conflict' })),
  ];
  $('#f-conflicts').innerHTML = held.map((q) => {
    const p = state.byId.get(q.parcel) ?? {};
    const head = `${esc(p.head_name ?? q.parcel)}${p.map_sheet ? ` (${sheetNo(p)})` : ''}`;
    const mine = esc(describe(q));
    const ref = q.where === 'queue' ? `data-seq="${q.seq}"` : `data-online="${esc(q.id)}"`;
    if (q.state === 'conflict') {
      return `<div class="f-conflict f-card" ${ref}>
        <h2>⚠ Xung đột / Conflict — ${head}</h2>
        <p>Người khác đã thay đổi hộ này sau khi bạn xem. / Someone else changed this household after you looked.</p>
        <div class="f-sides">
          <div><h3>Của họ / Theirs</h3><p class="f-theirs">${theirs(q.problem?.current)}</p></div>
          <div><h3>Của tôi / Mine</h3><p class="f-mine">${mine}</p></div>
        </div>
        <button type="button" data-resend>Gửi lại của tôi / Send mine anyway</button>
        <button type="button" data-discard class="f-secondary">Bỏ của tôi / Discard mine</button>
      </div>`;
    }
    return `<div class="f-conflict f-card" ${ref}>
      <h2>⚠ Không gửi được / Not accepted — ${head}</h2>
      <p class="f-mine">${mine}</p><p class="f-error">${esc(q.problem?.message ?? '')}</p>
      <button type="button" data-discard class="f-secondary">Bỏ / Discard</button>
    </div>`;
  }).join('');
}

$('#f-conflicts').addEventListener('click', async (e) => {
  const box = e.target.closest('.f-conflict');
  if (!box) return;
  const choice = e.target.closest('[data-resend]') ? 'resend' : e.target.closest('[data-discard]') ? 'discard' : null;
  if (!choice) return;
  if (box.dataset.seq) {
    const sw = navigator.serviceWorker?.controller;
    if (sw) sw.postMessage({ type: choice, seq: Number(box.dataset.seq) });
    else if (choice === 'discard') { await Q.remove(Number(box.dataset.seq)); await refreshQueue(); }
    return;
  }
  const i = state.onlineConflicts.findIndex((c) => c.id === box.dataset.online);
  if (i < 0) return;
  const [c] = state.onlineConflicts.splice(i, 1);
  if (choice === 'resend') {
    let etag = null;
    try {
      const res = await fetch(`/api/parcels/${encodeURIComponent(c.parcel)}`, { credentials: 'same-origin', cache: 'no-store' });
      etag = res.headers.get('etag');
    } catch { /* offline: the worker queues it with the version the conflict named */ }
    // a new key: the refused write's may be kept by the server with its 412
    const res = await send(c.url, c.body, c.type, Q.newKey(), etag ?? c.problem?.etag ?? c.ifMatch).catch(() => null);
    if (res?.ok) {
      const tag = res.headers.get('etag');
      if (tag) state.etags.set(c.parcel, tag);
      toast(res.status === 202 ? 'Đã lưu trên máy, sẽ gửi khi có mạng / Saved on this phone; sent when online' : 'Đã gửi / Sent');
    } else if (res?.status === 412) {
      state.onlineConflicts.push({ ...c, problem: { status: 412, current: (await res.json().catch(() => ({}))).current ?? null, etag: res.headers.get('etag') } });
    }
  }
  renderConflicts();
  await refreshQueue();
  if (choice === 'resend') load();
});

// ------------------------------------------------------------------ online, offline, service worker

function sync() {
  navigator.serviceWorker?.controller?.postMessage({ type: 'sync' });
}

function netBadge() {
  const n = $('#f-net');
  n.textContent = navigator.onLine ? '● Có mạng / Online' : '○ Không có mạng / Offline';
  n.className = `f-net ${navigator.onLine ? 'on' : 'off'}`;
}

window.addEventListener('online', () => { netBadge(); sync(); });
window.addEventListener('offline', netBadge);
setInterval(() => { if (navigator.onLine && state.queue.some((q) => q.state === 'pending')) sync(); }, 20000);

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.addEventListener('message', async (e) => {
    if (e.data?.type !== 'queue') return;
    if (e.data.delivered) state.delivered.push(e.data.delivered);
    await refreshQueue();
    // after a pass: the list as the server now has it (the writes sent, someone else's change met)
    if (e.data.done && (e.data.sent > 0 || state.queue.some((q) => q.state !== 'pending'))) load();
  });
}

function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' })
    .then(() => navigator.serviceWorker.ready)
    .then((r) => { r.active?.postMessage({ type: 'sync' }); prefetchDetails(); })
    .catch((err) => console.warn('service worker', err));
}

/** Each household's detail, fetched once so that the worker keeps it for offline use. */
async function prefetchDetails() {
  if (!navigator.onLine || !state.data || !navigator.serviceWorker.controller) return;
  const ids = [...state.byId.keys()].slice(0, 200);
  const next = async () => {
    for (let id = ids.shift(); id; id = ids.shift()) {
      try { await fetch(`/api/parcels/${encodeURIComponent(id)}`, { credentials: 'same-origin' }); } catch { return; }
    }
  };
  await Promise.all([next(), next(), next()]);
}

// ------------------------------------------------------------------ the map (MapLibre only when opened)

$('#f-map-btn').addEventListener('click', async () => {
  const el = $('#f-map');
  const btn = $('#f-map-btn');
  if (!el.hidden) { el.hidden = true; $('#f-list').hidden = false; btn.textContent = 'Bản đồ / Map'; return; }
  el.hidden = false;
  $('#f-list').hidden = true;
  btn.textContent = 'Danh sách / List';
  if (state.map) { state.map.resize(); return; }
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = '/node_modules/maplibre-gl/dist/maplibre-gl.css';
  document.head.append(css);
  const [maplibregl, { STATUS_COLOR, BACKGROUND }] = await Promise.all([
    import('/node_modules/maplibre-gl/dist/maplibre-gl.mjs'),
    import('../config.js'),
  ]);
  const colour = ['match', ['get', 'status'], ...Object.entries(STATUS_COLOR).flat(), '#c8c8c8'];
  state.map = new maplibregl.Map({
    container: el,
    style: { version: 8, sources: {}, layers: [{ id: 'bg', type: 'background', paint: { 'background-color': BACKGROUND } }] },
    attributionControl: false,
  });
  state.map.on('load', () => {
    state.map.addSource('mine', { type: 'geojson', data: state.data });
    state.map.addLayer({ id: 'mine-fill', type: 'fill', source: 'mine', paint: { 'fill-color': colour, 'fill-opacity': 0.8 } });
    state.map.addLayer({ id: 'mine-line', type: 'line', source: 'mine', paint: { 'line-color': '#1d2b36', 'line-width': 1 } });
    state.map.on('click', 'mine-fill', (ev) => openDetail(String(ev.features[0].properties.parcel)));
    paintMap(true);
  });
});

function paintMap(fit = false) {
  const src = state.map?.getSource('mine');
  if (!src) return;
  src.setData(state.data);
  if (!fit) return;
  let [w, s, e, n] = [180, 90, -180, -90];
  const walk = (c) => {
    if (typeof c[0] === 'number') { w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]); } else c.forEach(walk);
  };
  for (const f of state.data.features) if (f.geometry) walk(f.geometry.coordinates);
  if (w <= e) state.map.fitBounds([[w, s], [e, n]], { padding: 24, duration: 0 });
}

// ------------------------------------------------------------------ start

netBadge();
load().then(registerWorker);
