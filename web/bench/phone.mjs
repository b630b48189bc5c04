// The first map on a phone, against a running `hiendat serve` (HIENDAT_URL), in headless Chromium
// driven through the DevTools protocol (issue 21: ≤ 4 s and ≤ 800 KB before the first coloured map):
//  - 390×844 viewport, 4× CPU slowdown (Emulation.setCPUThrottlingRate),
//  - 150 ms latency, 1.6 Mbps down, 750 kbps up (Network.emulateNetworkConditions),
//  - a cold cache: a fresh browser context for each load (and its cache cleared).
// Measured: navigation → the first coloured map (window.hiendat.firstMapMs, the page clock: map idle
// with the segments layer drawn), DOMContentLoaded, and the bytes that came over the wire before the
// first map (encoded sizes with headers, as Chromium counts them: finished requests whole, requests
// still in flight by the chunks received so far). Median of RUNS (3) loads.
// Usage: HIENDAT_URL=http://127.0.0.1:8092/ node bench/phone.mjs   (VERBOSE=1 lists the requests)
import { chromium } from 'playwright-core';

const BASE = (process.env.HIENDAT_URL || 'http://127.0.0.1:8092/').replace(/\/?$/, '/');
const RUNS = Number(process.env.RUNS || 3);
const VERBOSE = !!process.env.VERBOSE;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--use-gl=angle', '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader'];
const NETWORK = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const kb = (b) => `${(b / 1000).toFixed(1)} KB`;

const workerSizes = new Map();
async function workerBytes(url) {
  if (!workerSizes.has(url)) {
    const r = await fetch(url, { headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    const head = [...r.headers].reduce((s, [k, v]) => s + k.length + v.length + 4, 17);
    workerSizes.set(url, head + Number(r.headers.get('content-length') || (await r.arrayBuffer()).byteLength));
  }
  return workerSizes.get(url);
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS });
const runs = [];
for (let i = 0; i < RUNS; i++) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.emulateNetworkConditions', NETWORK);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const reqs = new Map(); // requestId → { url, start, chunks: [[t, bytes]], done: [t, bytes], encoding }
  let navStart = null;
  cdp.on('Network.requestWillBeSent', (e) => {
    if (navStart === null && e.type === 'Document') navStart = e.timestamp;
    reqs.set(e.requestId, { url: e.request.url, start: e.timestamp, chunks: [], done: null, encoding: '' });
  });
  cdp.on('Network.responseReceived', (e) => {
    const r = reqs.get(e.requestId);
    if (!r) return;
    const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    r.encoding = h['content-encoding'] || '';
    r.response = [e.timestamp, e.response.encodedDataLength + Number(h['content-length'] || 0)];
  });
  cdp.on('Network.dataReceived', (e) => reqs.get(e.requestId)?.chunks.push([e.timestamp, e.encodedDataLength]));
  cdp.on('Network.loadingFinished', (e) => { const r = reqs.get(e.requestId); if (r) r.done = [e.timestamp, e.encodedDataLength]; });
  await page.goto(BASE, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.hiendat?.firstMapMs !== undefined, null, { timeout: 120000, polling: 50 });
  const r = await page.evaluate(() => {
    const ids = new Set(window.hiendat.map.queryRenderedFeatures({ layers: ['segment-line'] }).map((f) => f.properties.id));
    const nav = performance.getEntriesByType('navigation')[0];
    return { firstMap: window.hiendat.firstMapMs, segs: ids.size, dcl: nav.domContentLoadedEventEnd, zoom: window.hiendat.map.getZoom() };
  });
  if (!r.segs) throw new Error('no segment drawn at the first map');
  // Bytes over the wire up to the first map (CDP timestamps are seconds on one monotonic clock).
  const cutoff = navStart + r.firstMap / 1000;
  const rows = [];
  for (const q of reqs.values()) {
    if (q.start >= cutoff || q.url.startsWith('data:') || q.url.startsWith('blob:')) continue;
    let bytes = q.done && q.done[0] <= cutoff ? q.done[1] : q.chunks.filter(([t]) => t <= cutoff).reduce((s, [, b]) => s + b, 0);
    // The map's worker script is fetched for the worker, whose response this session does not
    // see: the Content-Length the server gives Chromium's Accept-Encoding counts, with its
    // headers (the map cannot draw before the worker has it).
    // When the page fetched that URL before, even still in flight, the worker's request is the
    // cache's: Chromium's HTTP cache lets a second request for a URL being written wait for the
    // first download and read it (checked in the server's log: one request for the worker).
    const cached = [...reqs.values()].some((o) => o !== q && o.url === q.url && o.start <= q.start);
    const byLength = !bytes && /worker/.test(q.url) && !cached;
    if (byLength) bytes = await workerBytes(q.url);
    rows.push({ url: q.url.replace(BASE, '/') + (cached ? ' (from the cache)' : ''), bytes, at: [q.start, q.done?.[0]].map((t) => (t ? Math.round((t - navStart) * 1000) : '')).join('→'), finished: byLength || !!(q.done && q.done[0] <= cutoff), encoding: q.encoding });
  }
  const bytes = rows.reduce((s, x) => s + x.bytes, 0);
  const parcels = rows.filter((x) => x.url.startsWith('/api/parcels')).length;
  runs.push({ ...r, bytes, requests: rows.length, parcels });
  if (VERBOSE) {
    console.log(`run ${i + 1}: first map at ${Math.round(r.firstMap)} ms, DOMContentLoaded ${Math.round(r.dcl)} ms`);
    for (const x of rows) console.log(`  ${String(x.bytes).padStart(9)} B ${x.finished ? '   ' : '(…)'} ${(x.encoding || '-').padEnd(4)} ${x.at.padEnd(11)} ${x.url}`);
  }
  await context.close();
}
await browser.close();

console.log('First coloured map on a phone: 390×844, 4× CPU, 150 ms / 1.6 Mbps, cold cache');
console.log('run | first map ms | DOMContentLoaded ms | bytes before first map | requests | parcel requests | segments | zoom');
runs.forEach((r, i) => console.log(`${i + 1}   | ${String(Math.round(r.firstMap)).padStart(12)} | ${String(Math.round(r.dcl)).padStart(19)} | ${kb(r.bytes).padStart(22)} | ${String(r.requests).padStart(8)} | ${String(r.parcels).padStart(15)} | ${String(r.segs).padStart(8)} | ${r.zoom.toFixed(2)}`));
console.log(`median first map: ${Math.round(median(runs.map((r) => r.firstMap)))} ms; DOMContentLoaded ${Math.round(median(runs.map((r) => r.dcl)))} ms; ${kb(median(runs.map((r) => r.bytes)))} before it`);
