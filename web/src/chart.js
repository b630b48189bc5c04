// Progress of the ward over time, drawn in SVG: by area handed over and by households handed
// over (handed_over ÷ parcels_affected). A vertical rule marks the date shown on the map.
import { t, date, pct } from './i18n.js';

const NS = 'http://www.w3.org/2000/svg';
const el = (name, attrs = {}, text) => {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

const DAY = 86400000;
const ms = (iso) => Date.parse(`${iso}T00:00:00Z`);

/** Draws the chart in `host`; `onPick(isoDate)` is called when the user clicks a date. */
export function drawChart(host, series, { asOf, today, onPick }) {
  host.replaceChildren();
  const h3 = document.createElement('h3');
  h3.textContent = t('chart_title');
  host.append(h3);
  if (!series?.length) return;
  const W = 560; const H = 260;
  const m = { l: 42, r: 14, t: 12, b: 34 };
  const x0 = ms(series[0].date);
  const x1 = Math.max(ms(today ?? series[series.length - 1].date), ms(series[series.length - 1].date), x0 + DAY);
  const X = (d) => m.l + ((ms(d) - x0) / (x1 - x0)) * (W - m.l - m.r);
  const Y = (p) => H - m.b - (p / 100) * (H - m.t - m.b);
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'chart-svg', 'aria-label': t('chart_title') });
  for (const p of [0, 25, 50, 75, 100]) {
    svg.append(el('line', { x1: m.l, x2: W - m.r, y1: Y(p), y2: Y(p), class: 'grid' }));
    svg.append(el('text', { x: m.l - 6, y: Y(p) + 4, class: 'tick', 'text-anchor': 'end' }, `${p} %`));
  }
  // Month ticks.
  const start = new Date(x0);
  for (let d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)); d.getTime() <= x1; d.setUTCMonth(d.getUTCMonth() + 1)) {
    const iso = d.toISOString().slice(0, 10);
    svg.append(el('line', { x1: X(iso), x2: X(iso), y1: H - m.b, y2: H - m.b + 4, class: 'axis' }));
    svg.append(el('text', { x: X(iso), y: H - m.b + 17, class: 'tick', 'text-anchor': 'middle' },
      `${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`));
  }
  svg.append(el('line', { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, class: 'axis' }));
  const hh = (r) => (r.parcels_affected ? (100 * (r.households?.handed_over ?? 0)) / r.parcels_affected : 0);
  const path = (f) => {
    let d = '';
    let prev = null;
    for (const r of series) {
      const x = X(r.date).toFixed(1);
      const y = Y(f(r)).toFixed(1);
      d += d ? ` H${x} V${y}` : `M${x} ${y}`; // a step line: figures change on the event dates
      prev = y;
    }
    if (prev !== null) d += ` H${(W - m.r).toFixed(1)}`;
    return d;
  };
  svg.append(el('path', { d: path((r) => r.progress_pct ?? 0), class: 'line area' }));
  svg.append(el('path', { d: path(hh), class: 'line hh' }));
  const shown = asOf ?? today;
  if (shown) {
    const x = Math.min(X(shown), W - m.r);
    svg.append(el('line', { x1: x, x2: x, y1: m.t, y2: H - m.b, class: 'now' }));
    svg.append(el('text', { x: Math.min(x + 4, W - m.r - 70), y: m.t + 10, class: 'tick now-label' }, date(shown)));
  }
  svg.addEventListener('click', (ev) => {
    const r = svg.getBoundingClientRect();
    const px = ((ev.clientX - r.left) / r.width) * W;
    const f = Math.max(0, Math.min(1, (px - m.l) / (W - m.l - m.r)));
    const d = new Date(x0 + f * (x1 - x0)).toISOString().slice(0, 10);
    onPick?.(d);
  });
  host.append(svg);
  // The figures on the date shown (the last change on or before it).
  let last = { ...series[0], progress_pct: 0, households: {} };
  for (const r of series) if (!shown || r.date <= shown) last = r;
  const legend = document.createElement('ul');
  legend.className = 'chart-legend';
  legend.innerHTML = `<li><span class="sw area"></span>${t('chart_area')}: <b>${pct(last.progress_pct)}</b></li>
    <li><span class="sw hh"></span>${t('chart_households')}: <b>${pct(hh(last))}</b></li>
    <li class="muted">${date(shown)}</li>`;
  host.append(legend);
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.textContent = t('chart_hint');
  host.append(hint);
}
