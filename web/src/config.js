// Colors and campaign rules shared by the map, the panels and the tests.
// Palette: Okabe–Ito, chosen to stay distinguishable with the common color-vision deficiencies;
// nothing relies on hue alone (complete segments are drawn double, declined parcels hatched,
// the corridor band is hatched).

export const STATUSES = ['not_contacted', 'persuading', 'declined', 'agreed', 'signed', 'handed_over'];

/**
 * What anonymous visitors get (src/campaign/events.rs, PublicStatus): not contacted, being
 * persuaded and declined are one "not yet" (chưa hiến), so no neighbour can point at a refusal.
 */
export const PUBLIC_STATUSES = ['not_yet', 'agreed', 'signed', 'handed_over'];

/** The statuses an answer counts in: the public ones when it carries `not_yet`. */
export const statusesOf = (households) => (households && 'not_yet' in households ? PUBLIC_STATUSES : STATUSES);

export const STATUS_COLOR = {
  not_yet: '#c8c8c8',       // light grey, as not contacted: nothing tells the three apart
  not_contacted: '#c8c8c8', // light grey
  persuading: '#56b4e9',    // sky blue
  declined: '#cc79a7',      // reddish purple, hatched
  agreed: '#f0e442',        // yellow
  signed: '#0072b2',        // blue
  handed_over: '#009e73',   // bluish green
};

/** Progress by area → color: 0 % vermillion, 50 % amber, 100 % bluish green. */
export const PROGRESS_STOPS = [
  [0, '#d55e00'],
  [50, '#e69f00'],
  [100, '#009e73'],
];

export function progressColor(p) {
  const x = Math.max(0, Math.min(100, p ?? 0));
  for (let i = 1; i < PROGRESS_STOPS.length; i++) {
    const [p1, c1] = PROGRESS_STOPS[i];
    const [p0, c0] = PROGRESS_STOPS[i - 1];
    if (x <= p1) {
      const f = (x - p0) / (p1 - p0);
      const a = hexRgb(c0);
      const b = hexRgb(c1);
      return a.map((v, k) => Math.round(v + (b[k] - v) * f));
    }
  }
  return hexRgb(PROGRESS_STOPS[PROGRESS_STOPS.length - 1][1]);
}

export function hexRgb(h) {
  const n = parseInt(h.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export const rgbCss = ([r, g, b]) => `rgb(${r},${g},${b})`;

export const SEGMENT_CASING = '#1d2b36';
export const CORRIDOR_COLOR = '#7a4fa3';
export const GROUP_LINE = '#6b7780';
export const BACKGROUND = '#eef0ec';

/** Below this zoom no parcel is requested: segments, corridors and groups only. */
export const PARCEL_MIN_ZOOM = 15;

/**
 * Residential groups by days since their last step forward (a household agreed, signed or
 * handed over): the "idle days" layer. Never moved counts with the longest; complete groups apart.
 */
export const IDLE_CLASSES = [
  ['fresh', '#009e73'], // 0–7 days: bluish green
  ['slow', '#e69f00'],  // 8–30 days: orange
  ['stale', '#d55e00'], // over 30 days, or never: vermillion
  ['done', '#bbbbbb'],  // complete: grey
];

/** The idle class of a group row of /api/summary/groups. */
export function idleClass(r) {
  if (r?.complete) return 'done';
  const n = r?.idle_days;
  if (n == null) return 'stale';
  return n <= 7 ? 'fresh' : n <= 30 ? 'slow' : 'stale';
}
