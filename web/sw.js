// The field page's service worker (issue 15), registered by web/src/field/app.js as a module
// with scope `/`:
// - the app shell (field.html, its JS and CSS, the manifest, the icons) and the member's data
//   (/api/me, /api/config, /api/my/households, /api/parcels/{id}) are fetched network-first and
//   kept, so that the view opens with no network;
// - a write under /api/ (not login/logout) that cannot reach the server is queued in IndexedDB
//   (web/src/field/queue.js) and answered 202 {"queued": true, "id": <its Idempotency-Key>};
//   while writes wait, new ones queue behind them, so that order holds;
// - the queue is sent in order when asked (the page's `online` event, its load, a timer): each
//   write with its own Idempotency-Key, so that it is recorded once even when an answer was lost.
//   A parcel's writes queued from one version are re-based on the ETag each one returns; a 412
//   (someone else's change) stops that parcel's writes and is kept for the author to decide.
// The fetches this worker makes do not pass through it again.
import * as Q from './src/field/queue.js';

const SHELL_CACHE = 'hiendat-field-shell-v1';
const DATA_CACHE = 'hiendat-field-data';
const SHELL = ['/field.html', '/field.css', '/src/field/app.js', '/src/field/queue.js', '/src/field/photo.js',
  '/src/i18n.js', '/src/config.js', '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png'];
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const NOT_QUEUED = new Set(['/api/login', '/api/logout']);

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(SHELL_CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil((async () => {
    for (const k of await caches.keys()) if (k.startsWith('hiendat-field-shell') && k !== SHELL_CACHE) await caches.delete(k);
    await self.clients.claim();
    sync();
  })());
});

const isData = (p) => p === '/api/me' || p === '/api/config' || p === '/api/my/households' || /^\/api\/parcels\/[^/]+$/.test(p);

// Only the field page's own requests: the main map page (same origin, so in this worker's scope
// once a member has opened the field page) keeps its plain network behaviour, its reads are not
// kept on the device and its writes are never answered "queued", which it would not understand.
const fromField = (req) => {
  try { return new URL(req.referrer).pathname === '/field.html'; } catch { return false; }
};

self.addEventListener('fetch', (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.method === 'GET') {
    if (SHELL.includes(url.pathname)) e.respondWith(networkFirst(req, SHELL_CACHE));
    else if (isData(url.pathname) && fromField(req)) e.respondWith(networkFirst(req, DATA_CACHE));
    return;
  }
  if (!fromField(req)) return;
  if (WRITES.has(req.method) && url.pathname.startsWith('/api/') && !NOT_QUEUED.has(url.pathname)) {
    e.respondWith(write(req));
  }
});

async function networkFirst(req, cacheName) {
  const cache = await caches.open(cacheName);
  try {
    const res = await fetch(req);
    if (res.ok) await cache.put(req, res.clone());
    return res;
  } catch (err) {
    const hit = await cache.match(req);
    if (hit) return hit;
    throw err;
  }
}

async function write(req) {
  const url = new URL(req.url);
  const parcel = Q.parcelOf(req.url);
  const type = req.headers.get('content-type');
  const body = /\/attachments$/.test(url.pathname) ? await req.clone().blob() : await req.clone().text();
  const queue = await Q.all();
  const behind = queue.some((q) => q.state === 'pending' || (parcel && q.parcel === parcel));
  if (!behind) {
    try {
      return await fetch(req);
    } catch { /* no network: queued below */ }
  }
  const item = {
    user: await cachedUser(),
    key: req.headers.get('idempotency-key') || Q.newKey(),
    method: req.method,
    url: url.pathname + url.search,
    type,
    body,
    ifMatch: req.headers.get('if-match'),
    parcel,
    made: new Date().toISOString(),
    state: 'pending',
    problem: null,
  };
  item.seq = await Q.add(item);
  notify();
  if (behind) sync();
  return new Response(JSON.stringify({ queued: true, id: item.key, seq: item.seq }), {
    status: 202, headers: { 'content-type': 'application/json' },
  });
}

async function notify(extra = {}) {
  for (const c of await self.clients.matchAll({ includeUncontrolled: true })) c.postMessage({ type: 'queue', ...extra });
}

let running = null;
/** Sends the queue (one pass at a time); resolves to what happened. */
function sync() {
  if (!running) running = send().finally(() => { running = null; });
  return running;
}

/** The logged-in user's name as last seen by the field page (its cached /api/me), or null. */
async function cachedUser() {
  try {
    const r = await (await caches.open(DATA_CACHE)).match('/api/me');
    return r ? ((await r.json())?.user?.name ?? null) : null;
  } catch { return null; }
}

/** The user the server knows for this browser now; undefined when it cannot be asked. */
async function serverUser() {
  try {
    const r = await fetch('/api/me', { credentials: 'same-origin', cache: 'no-store' });
    return r.ok ? ((await r.json())?.user?.name ?? null) : undefined;
  } catch { return undefined; }
}

async function send() {
  const t0 = Date.now();
  let sent = 0;
  // Each write goes under the session of the user who made it, never another's: a phone passed
  // to a colleague (or a session that ended and another login) keeps the first one's writes
  // waiting for them.
  const me = await serverUser();
  if (!me) {
    await notify({ sent, done: true, ms: Date.now() - t0 });
    return sent;
  }
  for (;;) {
    const queue = await Q.all();
    // a parcel whose earlier write waits for its author's decision sends nothing more
    const held = new Set();
    let next = null;
    for (const q of queue) {
      if (q.user && q.user !== me) continue;
      if (q.state !== 'pending') { held.add(q.parcel); continue; }
      if (q.parcel && held.has(q.parcel)) continue;
      next = q;
      break;
    }
    if (!next) break;
    const outcome = await deliver(next, queue);
    if (outcome === 'stop') break;
    if (outcome === 'sent') sent++;
    await notify({ sent, ...(outcome === 'sent' ? { delivered: { key: next.key, url: next.url, parcel: next.parcel, status: next.status } } : {}) });
  }
  await notify({ sent, done: true, ms: Date.now() - t0 });
  return sent;
}

/** Sends one write: 'sent', 'held' (a conflict or refusal, kept) or 'stop' (no network, no session, server trouble). */
async function deliver(item, queue) {
  const headers = { 'idempotency-key': item.key };
  if (item.type) headers['content-type'] = item.type;
  if (item.ifMatch) headers['if-match'] = item.ifMatch;
  let res;
  try {
    res = await fetch(item.url, { method: item.method, headers, body: item.body, credentials: 'same-origin' });
  } catch {
    return 'stop';
  }
  if (res.ok) {
    item.status = res.status;
    await Q.remove(item.seq);
    const etag = res.headers.get('etag');
    if (etag && item.parcel) {
      // the same parcel's later writes made on the version this one was made on: on the new one
      for (const q of queue) {
        if (q.seq > item.seq && q.parcel === item.parcel && q.ifMatch === item.ifMatch) {
          q.ifMatch = etag;
          await Q.put(q);
        }
      }
    }
    return 'sent';
  }
  if (res.status === 401 || res.status === 429 || res.status >= 500) return 'stop';
  let json = null;
  try { json = await res.json(); } catch { /* not JSON */ }
  item.state = res.status === 412 || res.status === 409 ? 'conflict' : 'failed';
  item.problem = {
    status: res.status,
    message: json?.message ?? json?.error?.message ?? `${res.status}`,
    current: json?.current ?? null,
    etag: res.headers.get('etag'),
  };
  await Q.put(item);
  return 'held';
}

/** The author's decision on a held write: send it again on the parcel's current version, or drop it. */
async function decide(seq, choice) {
  const queue = await Q.all();
  const item = queue.find((q) => q.seq === seq);
  if (!item) return;
  if (choice === 'discard') {
    await Q.remove(seq);
  } else {
    let etag = null;
    try {
      const res = await fetch(`/api/parcels/${encodeURIComponent(item.parcel)}`, { credentials: 'same-origin', cache: 'no-store' });
      if (res.ok) etag = res.headers.get('etag');
    } catch { /* offline: sent when the network returns, on the version the conflict named */ }
    etag = etag ?? item.problem?.etag ?? item.ifMatch;
    for (const q of queue) {
      if (q.seq > seq && q.parcel === item.parcel && q.state === 'pending' && q.ifMatch === item.ifMatch) {
        q.ifMatch = etag;
        await Q.put(q);
      }
    }
    item.ifMatch = etag;
    // a new write: the refused one's key may be kept by the server with its 412
    item.key = Q.newKey();
    item.state = 'pending';
    item.problem = null;
    await Q.put(item);
  }
  await notify();
  await sync();
}

self.addEventListener('message', (e) => {
  const m = e.data || {};
  if (m.type === 'sync') e.waitUntil(sync());
  else if (m.type === 'resend') e.waitUntil(decide(m.seq, 'resend'));
  else if (m.type === 'discard') e.waitUntil(decide(m.seq, 'discard'));
  else if (m.type === 'forget') e.waitUntil(caches.delete(DATA_CACHE));
});
