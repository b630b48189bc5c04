// Speed of the map viewer in headless Chromium against a running `hiendat serve`
// (HIENDAT_URL; meant for a large ward, e.g. 100k or 1M parcels):
//  1. first meaningful map: navigation → map idle with the segments layer drawn colored (vector tiles
//     of segments and groups: no whole-ward GeoJSON before it), over RUNS fresh page loads (median),
//     with the bytes received before it and the time the side panel's lists took after it;
//  2. panning at zoom 17: PANS panBy moves, time from each move to "settled" (the parcels' vector
//     tiles answered and drawn, map idle), with the tile requests made, their size and the
//     parcels drawn (issue 18: /tiles/parcels/{z}/{x}/{y}.mvt, z17 tiles, overzoomed past 17), and the
//     frames a second of an animated pan.
// Usage: HIENDAT_URL=http://127.0.0.1:8096/ node bench/firstmap.mjs
import { chromium } from 'playwright-core';

const BASE = (process.env.HIENDAT_URL || 'http://127.0.0.1:8092/').replace(/\/?$/, '/');
const RUNS = Number(process.env.RUNS || 5);
const PANS = Number(process.env.PANS || 10);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--use-gl=angle', '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader'];

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (x) => (x === undefined ? '' : String(Math.round(x)));

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS });
const config = await (await fetch(new URL('/api/config', BASE))).json();
console.log(`ward bounds ${config.bounds.map((x) => x.toFixed(4)).join(', ')}`);

// ------------------------------------------------------------------ 1. first map
const first = [];
for (let i = 0; i < RUNS; i++) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const bytes = { total: 0, atFirst: null };
  page.on('response', async (r) => { try { bytes.total += (await r.body()).length; } catch { /* aborted */ } });
  const t0 = Date.now();
  await page.goto(BASE);
  await page.waitForFunction(() => window.hiendat?.firstMapMs !== undefined, null, { timeout: 60000, polling: 20 });
  const wall = Date.now() - t0;
  bytes.atFirst = bytes.total;
  const r = await page.evaluate(() => {
    const ids = new Set(window.hiendat.map.queryRenderedFeatures({ layers: ['segment-line'] }).map((f) => f.properties.id));
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      firstMap: window.hiendat.firstMapMs, segs: ids.size, domContentLoaded: nav.domContentLoadedEventEnd, zoom: window.hiendat.map.getZoom(),
      tiles: window.hiendat.parcels.all.length,
    };
  });
  if (!r.segs) throw new Error('no segment drawn at the first idle');
  const listedMs = await page.evaluate(async () => { await window.hiendat.listed; return performance.now() - window.hiendat.firstMapMs; });
  first.push({ ...r, wall, mb: bytes.atFirst / 1e6, listedMs });
  await context.close();
}

console.log('\nFirst meaningful map (navigation → idle with segments colored), 1440×900');
console.log('run | first map ms (page clock) | wall ms (from goto) | DOMContentLoaded ms | segments drawn | zoom | tiles | MB received by then | lists ms after');
first.forEach((r, i) => console.log(`${i + 1}   | ${fmt(r.firstMap).padStart(6)} | ${fmt(r.wall).padStart(6)} | ${fmt(r.domContentLoaded).padStart(6)} | ${r.segs} | ${r.zoom.toFixed(2)} | ${r.tiles} | ${r.mb.toFixed(2)} | ${fmt(r.listedMs)}`));
console.log(`median first map: ${fmt(median(first.map((r) => r.firstMap)))} ms, max ${fmt(Math.max(...first.map((r) => r.firstMap)))} ms (wall ${fmt(median(first.map((r) => r.wall)))} ms); lists complete ${fmt(median(first.map((r) => r.listedMs)))} ms after it`);

// ------------------------------------------------------------------ 2. panning at zoom 17
const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
const page = await context.newPage();
// Tiles come through the map's worker: their sizes as the browser received them (decoded).
const tileBytes = new Map();
page.on('response', async (r) => { if (r.url().includes('/tiles/parcels/')) { try { tileBytes.set(r.url(), (await r.body()).length); } catch { /* aborted */ } } });
await page.goto(BASE);
await page.waitForFunction(() => window.hiendat?.firstMapMs !== undefined, null, { timeout: 60000 });
await page.evaluate(() => window.hiendat.settled()); // the lists too: pans are measured on a quiet page
const [minx, miny, maxx, maxy] = config.bounds;
const t0 = Date.now();
await page.evaluate(([lon, lat]) => window.hiendat.map.jumpTo({ center: [lon, lat], zoom: 17 }), [(minx + maxx) / 2, (miny + maxy) / 2]);
await page.evaluate(() => window.hiendat.settled());
const firstZ17 = Date.now() - t0;
const drawnParcels = () => new Set(window.hiendat.map.queryRenderedFeatures({ layers: ['parcel-fill'] }).map((f) => f.properties.id)).size;
const initial = await page.evaluate(() => window.hiendat.parcels.requests.slice());
const initialDrawn = await page.evaluate(drawnParcels);
const sizeOf = (reqs) => reqs.reduce((s, q) => s + (tileBytes.get(q.url) ?? 0), 0);
console.log(`\nPanning at zoom 17 (1440×900): first parcels after the jump in ${firstZ17} ms: ${initial.length} tiles, ${(sizeOf(initial) / 1e6).toFixed(2)} MB; ${initialDrawn} parcels drawn`);
const moves = [[500, 0], [500, 0], [0, 350], [0, 350], [-500, 0], [-500, 0], [-500, 0], [0, -350], [0, -350], [500, 0]];
const rows = [];
for (let i = 0; i < PANS; i++) {
  const [dx, dy] = moves[i % moves.length];
  const r = await page.evaluate(async ([x, y]) => {
    const h = window.hiendat;
    const n0 = h.parcels.requests.length;
    const a0 = h.parcels.all.length;
    const t = performance.now();
    h.map.panBy([x, y], { duration: 0 });
    await h.settled();
    const ms = performance.now() - t;
    const reqs = h.parcels.requests.slice(n0);
    const others = h.parcels.all.length - a0 - reqs.length;
    const features = new Set(h.map.queryRenderedFeatures({ layers: ['parcel-fill'] }).map((f) => f.properties.id)).size;
    return { ms, reqs, features, others };
  }, [dx, dy]);
  rows.push({ dx, dy, ms: r.ms, reqs: r.reqs.length, others: r.others, features: r.features, bytes: sizeOf(r.reqs) });
}
console.log('pan | by px     | settled ms | parcel tiles | segment+group tiles | parcels drawn | MB (decoded)');
rows.forEach((r, i) => console.log(`${String(i + 1).padStart(3)} | ${`${r.dx},${r.dy}`.padEnd(8)} | ${fmt(r.ms).padStart(10)} | ${String(r.reqs).padStart(12)} | ${String(r.others).padStart(19)} | ${String(r.features).padStart(13)} | ${(r.bytes / 1e6).toFixed(2)}`));
console.log(`median settle after a pan: ${fmt(median(rows.map((r) => r.ms)))} ms, max ${fmt(Math.max(...rows.map((r) => r.ms)))} ms; ${rows.reduce((s, r) => s + r.reqs, 0)} parcel tile requests for ${rows.length} pans`);
// Responsiveness while panning: frames during a continuous animated pan.
const frames = await page.evaluate(async () => {
  const m = window.hiendat.map;
  let n = 0; let worst = 0; let last = performance.now();
  const on = () => { const t = performance.now(); worst = Math.max(worst, t - last); last = t; n++; };
  m.on('render', on);
  const t0 = performance.now();
  m.panBy([800, 0], { duration: 2000 });
  await new Promise((r) => m.once('moveend', r));
  m.off('render', on);
  return { fps: (1000 * n) / (performance.now() - t0), worst };
});
console.log(`animated 2 s pan of 800 px: ${frames.fps.toFixed(1)} frames/s, longest frame gap ${fmt(frames.worst)} ms`);
await context.close();
await browser.close();
