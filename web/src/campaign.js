// The parcel panel's campaign sections. For logged-in users (the server sends them only then):
// the donation records, the attachments and the printable record. For editors and admins (the
// server sends the sensitive parts only to them, and logs each read): the assignments, the
// persuasion contacts and the grievances, each with its form, and the upload form.
// Every form posts to the API; the server's refusal is shown as it is.
import { api, apiUrl } from './api.js';
import { t, date, fileSize, parseDate } from './i18n.js';
import { esc } from './panels.js';

const MEDIA = { 'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/webp': 'WebP' };
const ACCEPT = '.pdf,.jpg,.jpeg,.png,.webp,application/pdf,image/jpeg,image/png,image/webp';

const dateInput = (id, name, today) => `<input id="${id}" name="${name}" inputmode="numeric" autocomplete="off" placeholder="dd/mm/yyyy" value="${date(today)}" required>`;

/** A collapsed form under a list: the summary opens it. */
function addForm(id, title, fields, button) {
  return `<details class="add-form" id="${id}-box"><summary>${esc(title)}</summary>
    <form class="edit campaign" id="${id}" data-action="${id}" novalidate>
      ${fields}
      <p class="error" id="${id}-error" role="alert"></p>
      <button type="submit" class="btn primary" id="${id}-save">${esc(button)}</button>
    </form></details>`;
}

// ------------------------------------------------------------------ paperwork (viewer+)

function recordsSection(p, { canEdit }) {
  const list = p.records.map((r) => `<li class="record" data-record="${esc(r.id)}">
      <b class="record-no">${t('record_no')} ${esc(r.number)}</b> · <span>${t('signed_on')} ${date(r.signed_on)}</span>
      <span class="line"><span class="muted">${t('signatories')}:</span> ${esc((r.signatories ?? []).join('; '))}</span>
      <span class="line"><span class="muted">${t('witness')}:</span> ${esc(r.witness)}</span>
      ${r.attachment != null ? `<span class="line"><a href="${esc(apiUrl(`/api/attachments/${r.attachment}`))}" target="_blank" rel="noopener">${t('record_scan')}</a></span>` : ''}
      ${canEdit && r.entered_by ? `<span class="line who muted">${t('entered_by')}: ${esc(r.entered_by)}</span>` : ''}
    </li>`).join('');
  return `<section class="cs cs-records" id="cs-records" aria-labelledby="cs-records-h">
    <h4 id="cs-records-h">${t('records')}</h4>
    ${list ? `<ul class="plain cs-list records">${list}</ul>` : `<p class="muted">${t('no_records')}</p>`}
    <p class="cs-actions"><a class="btn small" id="print-record" href="${esc(apiUrl(`/api/parcels/${encodeURIComponent(p.id)}/record`))}" target="_blank" rel="noopener"><span aria-hidden="true">⎙</span> ${t('print_record')}</a></p>
  </section>`;
}

function attachmentsSection(p, { canEdit }) {
  const list = p.attachments.map((a) => `<li class="attachment" data-attachment="${esc(a.id)}">
      <a href="${esc(apiUrl(a.url ?? `/api/attachments/${a.id}`))}" target="_blank" rel="noopener" class="file-name">${esc(a.file_name)}</a>
      <span class="line muted"><span class="size">${fileSize(a.size_bytes)}</span> · <span class="type">${esc(MEDIA[a.media_type] ?? a.media_type)}</span>
        · SHA-256 <code class="sha" title="${esc(a.sha256)}">${esc(String(a.sha256 ?? '').slice(0, 12))}</code></span>
      ${a.caption ? `<span class="line">${esc(a.caption)}</span>` : ''}
      <span class="line who muted">${t('uploaded_by')}: ${esc(a.uploaded_by)} (${date(a.uploaded_at)})</span>
    </li>`).join('');
  const form = canEdit ? addForm('upload-form', t('upload_title'), `
      <label><span>${t('upload_file')}</span><input type="file" id="upload-file" name="file" accept="${ACCEPT}"></label>
      <label><span>${t('caption')}</span><input id="upload-caption" name="caption" autocomplete="off"></label>`, t('upload_btn')) : '';
  return `<section class="cs cs-attachments" id="cs-attachments" aria-labelledby="cs-attachments-h">
    <h4 id="cs-attachments-h">${t('attachments')}</h4>
    ${list ? `<ul class="plain cs-list attachments">${list}</ul>` : `<p class="muted">${t('no_attachments')}</p>`}
    ${form}
  </section>`;
}

// ------------------------------------------------------------------ sensitive (editor+)

function assignmentsSection(p, { canEdit, members, today }) {
  const list = [...p.assignments].reverse().map((a) => `<li class="assignment${a.to ? '' : ' current'}">
      <b>${esc(a.member)}</b> <span class="muted">(${esc(a.member_code)})</span>
      <span class="when">${date(a.from)} – ${a.to ? date(a.to) : t('until_now')}</span></li>`).join('');
  const current = p.assignments.find((a) => !a.to)?.member_code;
  const options = (members ?? []).map((m) => `<option value="${esc(m.code)}"${m.code === current ? ' selected' : ''}>${esc(m.name)} — ${esc(m.code)}</option>`).join('');
  const form = canEdit ? addForm('assign-form', t('reassign'), `
      <label><span>${t('assign_member')}</span><select id="assign-member" name="member" required>
        <option value="">${t('choose_member')}</option>${options}</select></label>
      <label><span>${t('assign_from')}</span>${dateInput('assign-from', 'from', today)}</label>`, t('reassign')) : '';
  return `<section class="cs cs-assignments" id="cs-assignments" aria-labelledby="cs-assignments-h">
    <h4 id="cs-assignments-h">${t('assignments')}</h4>
    ${list ? `<ul class="plain cs-list assignments">${list}</ul>` : `<p class="muted">${t('no_assignments')}</p>`}
    ${form}
  </section>`;
}

function contactsSection(p, { canEdit, today }) {
  const list = [...p.contacts].reverse().map((c) => `<li class="contact" data-contact="${esc(c.id)}">
      <span class="when">${date(c.contacted_on)}</span> <b>${esc(c.member)}</b>
      <span class="line">${esc(c.summary)}</span>
      ${c.entered_by ? `<span class="line who muted">${t('entered_by')}: ${esc(c.entered_by)}</span>` : ''}</li>`).join('');
  const assignee = p.assignments?.find((a) => !a.to)?.member ?? '';
  const form = canEdit ? addForm('contact-form', t('contact_add'), `
      <label><span>${t('contacted_on')}</span>${dateInput('contact-on', 'contacted_on', today)}</label>
      <label><span>${t('contact_member')}</span><input id="contact-member" name="member" autocomplete="off" list="member-names" value="${esc(assignee)}" required></label>
      <label><span>${t('contact_summary')}</span><textarea id="contact-summary" name="summary" rows="2" required></textarea></label>`, t('save')) : '';
  return `<section class="cs cs-contacts" id="cs-contacts" aria-labelledby="cs-contacts-h">
    <h4 id="cs-contacts-h">${t('contacts')}</h4>
    ${list ? `<ul class="plain cs-list contacts">${list}</ul>` : `<p class="muted">${t('no_contacts')}</p>`}
    ${form}
  </section>`;
}

function grievancesSection(p, { canEdit, today }) {
  const list = [...p.grievances].reverse().map((g) => {
    const answered = g.answer != null && g.answered_on;
    const answerForm = !answered && canEdit ? addForm(`answer-form-${g.id}`, t('answer_add'), `
        <label><span>${t('answered_on')}</span>${dateInput(`answer-on-${g.id}`, 'answered_on', today)}</label>
        <label><span>${t('answer')}</span><textarea id="answer-text-${g.id}" name="answer" rows="2" required></textarea></label>`, t('answer_save'))
      .replace('data-action="answer-form-', `data-grievance="${esc(g.id)}" data-action="answer-form-`) : '';
    return `<li class="grievance${answered ? ' is-answered' : ''}" data-grievance="${esc(g.id)}">
      <span class="when">${date(g.raised_on)}</span> <b>${esc(g.raised_by)}</b>
      ${answered ? '' : ` <span class="badge unanswered">${t('unanswered')}</span>`}
      <span class="line">${esc(g.content)}</span>
      ${answered ? `<span class="line answer"><span class="muted">${t('answered', date(g.answered_on), g.answered_by ? esc(g.answered_by) : '')}:</span> ${esc(g.answer)}</span>` : ''}
      ${answerForm}</li>`;
  }).join('');
  const head = (p.households ?? [])[0]?.head_name ?? '';
  const form = canEdit ? addForm('grievance-form', t('grievance_add'), `
      <label><span>${t('raised_on')}</span>${dateInput('grievance-on', 'raised_on', today)}</label>
      <label><span>${t('raised_by')}</span><input id="grievance-by" name="raised_by" autocomplete="off" value="${esc(head)}" required></label>
      <label><span>${t('grievance_content')}</span><textarea id="grievance-content" name="content" rows="2" required></textarea></label>`, t('save')) : '';
  return `<section class="cs cs-grievances" id="cs-grievances" aria-labelledby="cs-grievances-h">
    <h4 id="cs-grievances-h">${t('grievances')}</h4>
    ${list ? `<ul class="plain cs-list grievances">${list}</ul>` : `<p class="muted">${t('no_grievances')}</p>`}
    ${form}
  </section>`;
}

/**
 * The campaign sections of parcel feature `f`, from what the server sent: paperwork when it
 * carries `records`, the sensitive parts when it carries `contacts`. Forms only for editors.
 */
export function campaignSections(f, { canEdit, members, today }) {
  const p = f.properties;
  const opts = { canEdit, members, today };
  let html = '';
  if (Array.isArray(p.records)) html += recordsSection(p, opts);
  if (Array.isArray(p.attachments)) html += attachmentsSection(p, opts);
  if (Array.isArray(p.contacts)) {
    html += `<div class="cs-private"><p class="hint private-note">${t('sensitive_note')}</p>
      ${Array.isArray(p.assignments) ? assignmentsSection(p, opts) : ''}
      ${contactsSection(p, opts)}
      ${Array.isArray(p.grievances) ? grievancesSection(p, opts) : ''}</div>`;
  }
  if (canEdit && members?.length) {
    html += `<datalist id="member-names">${[...new Set(members.map((m) => m.name))].map((n) => `<option value="${esc(n)}"></option>`).join('')}</datalist>`;
  }
  return html;
}

// ------------------------------------------------------------------ forms

/** A text field as typed (trimmed): the server judges what is missing, in its own words. */
const text = (form, name) => form[name].value.trim();

function needDate(form, name, label) {
  const d = parseDate(form[name].value);
  if (!d) throw new Error(`${t(label)}: ${t('bad_date')}`);
  return d;
}

/**
 * Sends campaign form `form` of parcel `id`; resolves to a message for the user, throws an
 * Error (the server's message as it is) when refused.
 */
export async function submitCampaignForm(form, id) {
  const action = form.dataset.action;
  if (action === 'upload-form') {
    const file = form.file.files[0];
    if (!file) throw new Error(t('need_file'));
    const caption = form.caption.value.trim() || undefined;
    const a = await api.upload(id, file, { name: file.name, caption });
    return t('uploaded', a?.file_name ?? file.name);
  }
  if (action === 'assign-form') {
    const member = form.member.value;
    if (!member) throw new Error(t('choose_member'));
    await api.assign(id, { member, from: needDate(form, 'from', 'assign_from') });
    return t('saved');
  }
  if (action === 'contact-form') {
    await api.addContact(id, {
      contacted_on: needDate(form, 'contacted_on', 'contacted_on'),
      member: text(form, 'member'),
      summary: text(form, 'summary'),
    });
    return t('saved');
  }
  if (action === 'grievance-form') {
    await api.addGrievance(id, {
      raised_on: needDate(form, 'raised_on', 'raised_on'),
      raised_by: text(form, 'raised_by'),
      content: text(form, 'content'),
    });
    return t('saved');
  }
  if (action.startsWith('answer-form-')) {
    await api.answerGrievance(form.dataset.grievance, {
      answered_on: needDate(form, 'answered_on', 'answered_on'),
      answer: text(form, 'answer'),
    });
    return t('saved');
  }
  throw new Error(`unknown form ${action}`);
}

/** The record of the status form when `signed` is chosen and any of its fields is filled. */
export function recordOf(form) {
  if (form.status.value !== 'signed' || !form.record_number) return null;
  const number = form.record_number.value.trim();
  const signatories = form.record_signatories.value.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  const witness = form.record_witness.value.trim();
  // None filled: sent without one, and the server says what a signature needs.
  if (!number && !signatories.length && !witness) return null;
  const signedOn = parseDate(form.record_signed_on.value);
  if (!signedOn) throw new Error(`${t('signed_on')}: ${t('bad_date')}`);
  return { number, signed_on: signedOn, signatories, witness };
}
