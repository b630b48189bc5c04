// The few calls the page makes to `hiendat serve`. Every data request carries as_of when the
// page shows a past date.

/**
 * The ward this page shows, as the path prefix of its URL (issue 18): `/w/ngoc-son` on
 * `/w/ngoc-son/`, '' on `/` (a one-ward database, or the province view). Every request and
 * link of the page goes under it, so that the server answers for that ward.
 */
export const BASE = (typeof location === 'undefined' ? '' : location.pathname.match(/^\/w\/[^/]+/)?.[0]) ?? '';

/** `path` (absolute, e.g. `/api/print?…`) under the page's ward prefix; one already under a ward is kept. */
export function apiUrl(path) {
  const p = String(path);
  return p.startsWith('/') && !p.startsWith('//') && !/^\/w\/[^/]+\//.test(p) ? BASE + p : p;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** An ApiError from a failed response: the server's JSON message as it is, else its status and text. */
async function failure(res) {
  const text = await res.text();
  let e = null;
  try { e = JSON.parse(text)?.error; } catch { /* not JSON */ }
  if (e?.message) return new ApiError(res.status, e.code ?? 'http', e.message);
  const plain = text.trim().slice(0, 300);
  return new ApiError(res.status, 'http', `${res.status} ${res.statusText}${plain ? `: ${plain}` : ''}`);
}

async function request(path, { method = 'GET', body, raw, type, signal } = {}) {
  const res = await fetch(apiUrl(path), {
    method,
    signal,
    credentials: 'same-origin',
    headers: raw ? { 'content-type': type || 'application/octet-stream' } : body ? { 'content-type': 'application/json' } : undefined,
    body: raw ?? (body ? JSON.stringify(body) : undefined),
  });
  if (!res.ok) throw await failure(res);
  const text = await res.text();
  try { return text ? JSON.parse(text) : null; } catch { return null; }
}

function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** `attachment; filename="a.csv"` (or filename*=UTF-8''…) → the file name, or null. */
export function attachmentName(header) {
  if (!header) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star) { try { return decodeURIComponent(star[1].trim()); } catch { /* fall through */ } }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(header);
  const name = plain ? (plain[2] ?? plain[1]).trim() : '';
  return name && !/[\\/]/.test(name) ? name : null;
}

/** A file to download (GET path?params): its bytes and the server's file name; errors as ApiError. */
async function downloadFile(path, params, signal) {
  const res = await fetch(apiUrl(withQuery(path, params)), { signal, credentials: 'same-origin' });
  if (!res.ok) throw await failure(res);
  return { blob: await res.blob(), name: attachmentName(res.headers.get('content-disposition')) };
}

/** A surveyor file (GET /api/export). */
const exportFile = (params, signal) => downloadFile('/api/export', params, signal);

export const api = {
  config: () => request('/api/config'),
  // The province's wards and their figures (issue 18; unprefixed: the province's own routes).
  wards: (asOf) => request(withQuery('/api/wards', { as_of: asOf })),
  wardOutlines: () => request('/api/wards/outlines'),
  version: () => request('/api/version'),
  me: () => request('/api/me').catch((e) => (e.status === 401 ? { user: null } : Promise.reject(e))),
  login: (name, password) => request('/api/login', { method: 'POST', body: { name, password } }),
  logout: () => request('/api/logout', { method: 'POST' }),
  segments: (asOf, signal) => request(withQuery('/api/segments', { as_of: asOf }), { signal }),
  segmentSummary: (asOf) => request(withQuery('/api/summary/segments', { as_of: asOf })),
  groupSummary: (asOf) => request(withQuery('/api/summary/groups', { as_of: asOf })),
  progress: () => request('/api/progress'),
  corridors: () => request('/api/corridors'),
  groups: (asOf) => request(withQuery('/api/groups', { as_of: asOf })),
  parcels: (params, signal) => request(withQuery('/api/parcels', params), { signal }),
  parcel: (id, asOf) => request(withQuery(`/api/parcels/${id}`, { as_of: asOf })),
  exportFile,
  addEvent: (id, body) => request(`/api/parcels/${id}/events`, { method: 'POST', body }),
  // Structures on the land (src/api/structures.rs): `path` is /api/parcels/{id}/structures[/{sid}].
  structures: (id, asOf) => request(withQuery(`/api/parcels/${encodeURIComponent(id)}/structures`, { as_of: asOf })),
  addStructure: (path, body) => request(path, { method: 'POST', body }),
  editStructure: (path, body) => request(path, { method: 'PUT', body }),
  removeStructure: (path, body) => request(path, { method: 'DELETE', body }),
  // The campaign's organisation and paperwork (see src/api/campaign.rs).
  org: () => request('/api/org'),
  assign: (id, body) => request(`/api/parcels/${encodeURIComponent(id)}/assignment`, { method: 'POST', body }),
  addContact: (id, body) => request(`/api/parcels/${encodeURIComponent(id)}/contacts`, { method: 'POST', body }),
  addGrievance: (id, body) => request(`/api/parcels/${encodeURIComponent(id)}/grievances`, { method: 'POST', body }),
  answerGrievance: (gid, body) => request(`/api/grievances/${encodeURIComponent(gid)}/answer`, { method: 'POST', body }),
  /** Uploads `file` (a File or Blob) as the raw body; the server checks its bytes. */
  upload: (id, file, { name, caption } = {}) => request(withQuery(`/api/parcels/${encodeURIComponent(id)}/attachments`, { name: name ?? file.name, caption }),
    { method: 'POST', raw: file, type: file.type }),
  // Reports (src/api/reports.rs).
  reportUrl: (params) => apiUrl(withQuery('/api/reports', params)),
  reportFile: (params, signal) => downloadFile('/api/reports', params, signal),
  frozenReports: () => request('/api/reports/frozen'),
  freezeReport: (body) => request('/api/reports/frozen', { method: 'POST', body }),
  periodicText: (params) => request(withQuery('/api/reports/periodic', params)),
  previewReport: async (body) => {
    const res = await fetch(apiUrl('/api/reports/preview'), {
      method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    if (!res.ok) throw await failure(res);
    return res.blob();
  },
};
