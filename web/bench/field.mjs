// Speed of the field page (web/field.html, issue 15) in headless Chromium against a running
// `hiendat serve` demo ward (HIENDAT_URL; the party member's login in HIENDAT_MEMBER_USER /
// HIENDAT_MEMBER_PASSWORD, as `serve` prints it):
//  1. first usable screen (the list of households rendered) at 390×844 with 4× CPU throttling and
//     a "Fast 3G"-shaped network (150 ms latency, 1,6 Mbit/s down, 750 kbit/s up), cold cache,
//     over RUNS fresh contexts (median);
//  2. the app shell's bytes (HTML, JS, CSS without MapLibre and fonts): raw and gzip -9;
//  3. sync time for WRITES writes queued offline (visits to the member's households): from going
//     back online to the queue empty, each write recorded once.
// Usage: HIENDAT_URL=http://127.0.0.1:8092/ HIENDAT_MEMBER_USER=dangvien HIENDAT_MEMBER_PASSWORD=… node bench/field.mjs
// With GZIP=1, step 1 goes through a local proxy that gzips every answer (level 6), for a server
// without compression of its own: what the page gets from one that compresses.
// Note: step 3 records WRITES visits in the server's database (use a fresh demo db).
import { chromium } from 'playwright-core';
import { gzipSync } from 'node:zlib';
import http from 'node:http';

const UPSTREAM = (process.env.HIENDAT_URL || 'http://127.0.0.1:8092/').replace(/\/?$/, '/');
let BASE = UPSTREAM;
let proxy = null;
if (process.env.GZIP) {
  proxy = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const headers = { ...req.headers };
    delete headers.host;
    delete headers['accept-encoding'];
    const up = await fetch(new URL(req.url, UPSTREAM), { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined, redirect: 'manual' });
    const body = Buffer.from(await up.arrayBuffer());
    const out = {};
    up.headers.forEach((v, k) => { if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'set-cookie'].includes(k)) out[k] = v; });
    if (up.headers.getSetCookie().length) out['set-cookie'] = up.headers.getSetCookie();
    const gz = /\bgzip\b/.test(req.headers['accept-encoding'] || '') && body.length > 512;
    if (gz) out['content-encoding'] = 'gzip';
    res.writeHead(up.status, out);
    res.end(gz ? gzipSync(body, { level: 6 }) : body);
  });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  BASE = `http://127.0.0.1:${proxy.address().port}/`;
}
const USER = process.env.HIENDAT_MEMBER_USER || 'dangvien';
const PASSWORD = process.env.HIENDAT_MEMBER_PASSWORD || '';
const RUNS = Number(process.env.RUNS || 5);
const WRITES = Number(process.env.WRITES || 50);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const SHELL = ['/field.html', '/field.css', '/src/field/app.js', '/src/field/queue.js', '/src/i18n.js'];

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

const login = await fetch(new URL('/api/login', BASE), {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: USER, password: PASSWORD }),
});
if (!login.ok) throw new Error(`login ${USER}: ${login.status} ${await login.text()}`);
const [cname, cvalue] = login.headers.get('set-cookie').split(';')[0].split('=');
const storageState = { cookies: [{ name: cname, value: cvalue, domain: new URL(BASE).hostname, path: '/', expires: -1, httpOnly: true, secure: false, sameSite: 'Strict' }], origins: [] };
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS });
const mobile = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, storageState };

// ------------------------------------------------------------------ 1. first usable screen
const runs = [];
for (let i = 0; i < RUNS; i++) {
  const context = await browser.newContext({ ...mobile, serviceWorkers: 'block' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  const t0 = Date.now();
  await page.goto(new URL('/field.html', BASE).href);
  await page.waitForSelector('#f-list li.hh', { timeout: 60000 });
  const wall = Date.now() - t0;
  const r = await page.evaluate(() => ({ mark: performance.getEntriesByName('field-list')[0]?.startTime, items: document.querySelectorAll('#f-list li.hh').length }));
  runs.push({ ...r, wall, bytes });
  await context.close();
}
console.log(`First usable screen (list rendered), 390×844, 4× CPU, Fast 3G-shaped, cold cache${proxy ? ', answers gzipped' : ', answers as the server sends them'}`);
console.log('run | list shown ms (page clock) | wall ms (from goto) | bytes on the wire | households');
runs.forEach((r, i) => console.log(`${i + 1}   | ${Math.round(r.mark)} | ${r.wall} | ${r.bytes} | ${r.items}`));
console.log(`median first usable screen: ${Math.round(median(runs.map((r) => r.mark)))} ms (wall ${Math.round(median(runs.map((r) => r.wall)))} ms)`);

// ------------------------------------------------------------------ 2. the shell's size
let raw = 0;
let gz = 0;
for (const path of SHELL) {
  const body = Buffer.from(await (await fetch(new URL(path, BASE))).arrayBuffer());
  raw += body.length;
  gz += gzipSync(body, { level: 9 }).length;
  console.log(`  ${path}: ${body.length} B raw, ${gzipSync(body, { level: 9 }).length} B gzip`);
}
console.log(`app shell: ${raw} B raw, ${gz} B gzip (${(gz / 1024).toFixed(1)} KB; limit 150 KB)`);

// ------------------------------------------------------------------ 3. sync of queued writes
{
  const context = await browser.newContext(mobile);
  const page = await context.newPage();
  await page.goto(new URL('/field.html', BASE).href);
  await page.waitForSelector('#f-list li.hh');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller && document.body.dataset.ready);
  const ids = await page.evaluate(() => [...document.querySelectorAll('#f-list li.hh')].map((li) => li.dataset.parcel));
  await context.setOffline(true);
  const queued = await page.evaluate(async ({ ids, n }) => {
    const asOf = window.hiendatField.data.as_of;
    const member = window.hiendatField.data.member?.code ?? '';
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const id = ids[i % ids.length];
      const res = await fetch(`/api/parcels/${encodeURIComponent(id)}/contacts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID(), ...(window.hiendatField.etags.get(id) ? { 'if-match': window.hiendatField.etags.get(id) } : {}) },
        body: JSON.stringify({ contacted_on: asOf, member, summary: `Đo đồng bộ ${i + 1} / sync bench ${i + 1}` }),
      });
      if (res.status === 202) ok++;
    }
    return ok;
  }, { ids, n: WRITES });
  if (queued !== WRITES) throw new Error(`${queued} of ${WRITES} writes queued`);
  const t0 = Date.now();
  await context.setOffline(false);
  await page.evaluate(() => navigator.serviceWorker.controller.postMessage({ type: 'sync' }));
  // (the worker reports each write it delivered; an async predicate would pass at once)
  await page.waitForFunction((n) => window.hiendatField.delivered.length >= n, WRITES, { timeout: 120000, polling: 20 });
  const ms = Date.now() - t0;
  const statuses = await page.evaluate(() => window.hiendatField.delivered.map((d) => d.status));
  if (!statuses.every((s) => s === 201)) throw new Error(`answers: ${statuses.join(',')}`);
  console.log(`sync of ${WRITES} queued writes: ${ms} ms (each answered 201)`);
  await context.close();
}
await browser.close();
proxy?.close();
