// Issue 18's browser check at a generated large ward (tests/i18_tilespage.rs serves one made by
// `hiendat demo --parcels N`): the map's parcels, segments, groups and corridors are vector tile sources; the
// first colored map is drawn before any whole-ward GeoJSON arrives; panning at zoom 17 asks /tiles/
// only (no /api/parcels?bbox, no /api/segments or /api/groups of the whole ward).
// Usage: HIENDAT_URL=http://127.0.0.1:8096/ node test/bigward.mjs   (exits 1 on a failure)
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--use-gl=angle', '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader'];

const BASE = (process.env.HIENDAT_URL || 'http://127.0.0.1:8092/').replace(/\/?$/, '/');
const ORIGIN = new URL(BASE).origin;
const SHOTS = process.env.HIENDAT_SCREENSHOTS || join(process.cwd(), 'screenshots');
mkdirSync(SHOTS, { recursive: true });
setTimeout(() => { console.log('FAIL the big-ward check did not finish within 4 minutes'); process.exit(1); }, 4 * 60 * 1000).unref();

function assert(cond, msg) { if (!cond) throw new Error(msg); }
const pathOf = (u) => new URL(u).pathname;
const ours = (u) => u.startsWith(`${ORIGIN}/`);

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  const requests = [];
  page.on('request', (r) => requests.push({ url: r.url() }));
  await page.goto(BASE);
  await page.waitForFunction(() => window.hiendat?.firstMapMs !== undefined, null, { timeout: 90000, polling: 20 });
  const first = await page.evaluate(() => {
    const m = window.hiendat.map;
    const segs = new Set(m.queryRenderedFeatures({ layers: ['segment-line'] }).map((f) => f.properties.id)).size;
    const colours = [...new Set(m.queryRenderedFeatures({ layers: ['segment-line'] }).map((f) => Math.round(f.properties.progress_pct / 10)))].length;
    return {
      ms: window.hiendat.firstMapMs, segs, colours,
      types: Object.fromEntries(['parcels', 'segments', 'groups', 'corridors'].map((s) => [s, m.getSource(s)?.type])),
      tiles: window.hiendat.parcels.all.map((q) => q.url),
    };
  });
  console.log(`first colored map after ${Math.round(first.ms)} ms (page clock), ${first.segs} segments drawn, ${first.tiles.length} tiles asked`);
  for (const s of ['parcels', 'segments', 'groups', 'corridors']) assert(first.types[s] === 'vector', `source ${s} is ${first.types[s]}, not vector tiles`);
  assert(first.segs > 50, `segments drawn at the first map: ${first.segs}`);
  assert(first.colours >= 2, `segments in ${first.colours} progress colours`);
  assert(first.tiles.some((u) => pathOf(u).startsWith('/tiles/segments/')), `segment tiles asked: ${first.tiles.join(', ')}`);
  // nothing of the whole ward was asked before the first map (the page's requests, by its clock):
  // the lists' GeoJSON and figures come after it
  await page.evaluate(() => window.hiendat.settled());
  const asked = await page.evaluate(() => performance.getEntriesByType('resource')
    .map((e) => ({ path: new URL(e.name).pathname, at: e.startTime, first: window.hiendat.firstMapMs })));
  const WHOLE = ['/api/segments', '/api/groups', '/api/summary/segments', '/api/summary/groups', '/api/parcels', '/api/corridors', '/api/progress'];
  const early = asked.filter((e) => WHOLE.includes(e.path) && e.at < e.first).map((e) => `${e.path} at ${Math.round(e.at)} ms`);
  assert(early.length === 0, `whole-ward data asked before the first map: ${early.join(', ')}`);
  assert(asked.some((e) => e.path === '/api/segments' && e.at >= e.first), 'the segment list is loaded after the first map');
  await page.screenshot({ path: join(SHOTS, 'bigward-first.png') });

  // the segment list lays out its first 300 rows, the rest on demand (all of them counted)
  const list = await page.evaluate(() => ({
    rows: document.querySelectorAll('#seg-list .seg-item').length,
    total: window.hiendat.state.segments.features.length,
    more: document.querySelector('#seg-list .seg-more')?.textContent ?? null,
  }));
  assert(list.total > 300, `a ward this size has over 300 segments: ${list.total}`);
  assert(list.rows === 300, `rows laid out at first: ${list.rows} of ${list.total}`);
  assert(list.more && list.more.includes(new Intl.NumberFormat('vi-VN').format(list.total - 300)), `the "more" button names the rest: ${list.more}`);
  await page.click('#seg-list .seg-more');
  await page.waitForFunction((n) => document.querySelectorAll('#seg-list .seg-item').length > n, 300);
  const after = await page.evaluate(() => document.querySelectorAll('#seg-list .seg-item').length);
  assert(after === Math.min(600, list.total), `rows after "more": ${after}`);

  // zoom 17 at the ward's centre, then pans: tiles only
  const bounds = await page.evaluate(() => window.hiendat.state.config.bounds);
  await page.evaluate(([x0, y0, x1, y1]) => window.hiendat.map.jumpTo({ center: [(x0 + x1) / 2, (y0 + y1) / 2], zoom: 17 }), bounds);
  await page.evaluate(() => window.hiendat.settled());
  const n0 = requests.length;
  const all0 = await page.evaluate(() => window.hiendat.parcels.all.length);
  const settle = [];
  for (const [dx, dy] of [[700, 0], [0, 450], [-700, 0], [-700, 0], [0, -450]]) {
    settle.push(await page.evaluate(async ([x, y]) => {
      const t = performance.now();
      window.hiendat.map.panBy([x, y], { duration: 0 });
      await window.hiendat.settled();
      return performance.now() - t;
    }, [dx, dy]));
  }
  const during = requests.slice(n0).filter((r) => ours(r.url)).map((r) => pathOf(r.url));
  const notTiles = during.filter((p) => !p.startsWith('/tiles/') && p !== '/api/version');
  assert(notTiles.length === 0, `panning asked more than tiles: ${notTiles.join(', ')}`);
  assert(during.some((p) => /^\/tiles\/parcels\/17\/\d+\/\d+\.mvt$/.test(p)), `panning asked parcel tiles at z17: ${during.join(', ')}`);
  const odd = during.filter((p) => p !== '/api/version' && !/^\/tiles\/(parcels\/17|segments\/16|corridors\/16|groups\/15)\/\d+\/\d+\.mvt$/.test(p));
  assert(odd.length === 0, `tiles of other zooms than parcels 17, segments and corridors 16, groups 15: ${odd.join(', ')}`);
  // A fade keeps software GL drawing 300 ms after each pan (most of a pan's settle without a GPU).
  const fade = await page.evaluate(() => window.hiendat.map._fadeDuration);
  assert(fade === 0, `labels fade in over ${fade} ms after a pan`);
  const told = await page.evaluate((k) => window.hiendat.parcels.all.length - k, all0);
  assert(told > 0, 'the page told its tile requests');
  const drawn = await page.evaluate(() => {
    const fs = window.hiendat.map.queryRenderedFeatures({ layers: ['parcel-fill'] });
    return { n: new Set(fs.map((f) => f.properties.id)).size, statuses: [...new Set(fs.map((f) => f.properties.status))] };
  });
  assert(drawn.n > 100, `parcels drawn at zoom 17: ${drawn.n}`);
  assert(drawn.statuses.every((s) => ['not_yet', 'agreed', 'signed', 'handed_over'].includes(s)), `public statuses: ${drawn.statuses}`);
  const sorted = [...settle].sort((a, b) => a - b);
  console.log(`5 pans at zoom 17: ${during.length} requests, all tiles; settled in ${sorted.map((x) => Math.round(x)).join(', ')} ms; ${drawn.n} parcels drawn`);
  await page.screenshot({ path: join(SHOTS, 'bigward-z17.png') });
  assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
  await context.close();
  console.log('PASS the big ward draws from vector tiles and pans on tiles only');
} catch (e) {
  failed = true;
  console.log(`FAIL the big ward: ${e.stack || e}`);
}
await browser.close();
process.exit(failed ? 1 : 0);
