// The few calls the page makes to `hiendat serve`. Every data request carries as_of when the
// page shows a past date.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function request(path, { method = 'GET', body, signal } = {}) {
  const res = await fetch(path, {
    method,
    signal,
    credentials: 'same-origin',
    headers: body ? { 'content-type': 'application/json' } : undefined,
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    const e = json?.error;
    throw new ApiError(res.status, e?.code ?? 'http', e?.message ?? `${res.status} ${res.statusText}`);
  }
  return json;
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

/** A surveyor file (GET /api/export): its bytes and the server's file name; errors as ApiError. */
async function exportFile(params, signal) {
  const res = await fetch(withQuery('/api/export', params), { signal, credentials: 'same-origin' });
  if (!res.ok) {
    const text = await res.text();
    let e = null;
    try { e = JSON.parse(text)?.error; } catch { /* not JSON */ }
    throw new ApiError(res.status, e?.code ?? 'http', e?.message ?? `${res.status} ${res.statusText}`);
  }
  return { blob: await res.blob(), name: attachmentName(res.headers.get('content-disposition')) };
}

export const api = {
  config: () => request('/api/config'),
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
};
