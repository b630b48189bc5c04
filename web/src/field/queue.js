// The queue of writes made without a network (issue 15), in IndexedDB: shared by the field page
// (web/src/field/app.js, to show what is pending) and the service worker (web/sw.js, which fills
// and sends it). One record per write, in the order it was made (`seq`):
// { seq, key (its Idempotency-Key), method, url, type (Content-Type), body (string or Blob),
//   ifMatch, parcel, label, made (ISO time), state: 'pending' | 'conflict' | 'failed',
//   problem: { status, message, current } when not pending }.

const DB = 'hiendat-field';
const STORE = 'queue';

let opening = null;
function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => { opening = null; reject(req.error); };
    });
  }
  return opening;
}

async function tx(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const out = fn(t.objectStore(STORE));
    t.oncomplete = () => resolve(out && 'result' in out ? out.result : out);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

/** Every queued write, oldest first. */
export const all = () => tx('readonly', (s) => s.getAll());

/** Adds a write; resolves to its seq. */
export const add = (item) => tx('readwrite', (s) => s.add(item));

export const put = (item) => tx('readwrite', (s) => s.put(item));

export const remove = (seq) => tx('readwrite', (s) => s.delete(seq));

export const clear = () => tx('readwrite', (s) => s.clear());

/** The parcel id of a write's URL (/api/parcels/{id}/…), or null. */
export function parcelOf(url) {
  const m = /\/api\/parcels\/([^/?#]+)/.exec(new URL(url, 'http://x/').pathname);
  return m ? decodeURIComponent(m[1]) : null;
}

/** A client-made Idempotency-Key (crypto.randomUUID where the page is a secure context). */
export function newKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
