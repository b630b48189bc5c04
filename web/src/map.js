// The MapLibre map: its style (works offline: no glyphs URL, local fonts through font-faces),
// the layers colored by progress and status, and the parcels, segments, residential groups and
// corridors as vector tiles (/tiles/{parcels,segments,groups,corridors}/…): the map needs no
// whole-ward GeoJSON, neither for its first view nor after.
import * as maplibregl from '/node_modules/maplibre-gl/dist/maplibre-gl.mjs';
import {
  STATUS_COLOR, PROGRESS_STOPS, SEGMENT_CASING, CORRIDOR_COLOR, GROUP_LINE, BACKGROUND, PARCEL_MIN_ZOOM, IDLE_CLASSES,
} from './config.js';
import { mapLocale } from './a11y.js';
import { apiUrl } from './api.js';

/** The vector tile layers the page draws (src/ops/tiles.rs), each its own MapLibre source. */
export const TILE_LAYERS = ['parcels', 'segments', 'groups', 'corridors'];
const FONT = 'Noto Sans Regular';
const FONT_BOLD = 'Noto Sans Bold';

function fontFaces() {
  const f = (subset, w) => new URL(`/node_modules/@fontsource/noto-sans/files/noto-sans-${subset}-${w}-normal.woff2`, location.href).href;
  const VI = ['U+0102-0103', 'U+0110-0111', 'U+0128-0129', 'U+0168-0169', 'U+01A0-01A1', 'U+01AF-01B0',
    'U+0300-0301', 'U+0303-0304', 'U+0308-0309', 'U+0323', 'U+0329', 'U+1EA0-1EF9', 'U+20AB'];
  const LATIN = ['U+0000-00FF', 'U+0131', 'U+0152-0153', 'U+02BB-02BC', 'U+02C6', 'U+02DA', 'U+02DC', 'U+2000-206F'];
  const faces = (w) => [
    { url: f('vietnamese', w), 'unicode-range': VI },
    { url: f('latin', w), 'unicode-range': LATIN },
  ];
  return { [FONT]: faces(400), [FONT_BOLD]: faces(700) };
}

/**
 * The page's own Noto Sans (regular and bold, Latin and Vietnamese subsets), added once the first
 * map is on screen: on a slow phone link its four files would compete with the map library for the
 * first seconds; until they arrive the text shows in the system's sans (font-display: swap).
 */
export function addPageFonts() {
  if (!document.fonts || typeof FontFace === 'undefined') return;
  for (const [name, weight] of [[FONT, '400'], [FONT_BOLD, '700']]) {
    for (const face of fontFaces()[name]) {
      document.fonts.add(new FontFace('Noto Sans', `url(${face.url}) format('woff2')`,
        { weight, style: 'normal', display: 'swap', unicodeRange: face['unicode-range'].join(',') }));
    }
  }
}

const progressColorExpr = ['interpolate', ['linear'], ['get', 'progress_pct'], ...PROGRESS_STOPS.flat()];
const statusColorExpr = ['match', ['get', 'status'], ...Object.entries(STATUS_COLOR).flat(), '#c8c8c8'];
// The idle-days layer: each group's class, a feature state (main.js sets `idle_class` from
// /api/summary/groups; a group it has no row for reads as never moved, "stale").
const idleColorExpr = ['match', ['coalesce', ['feature-state', 'idle_class'], 'stale'], ...IDLE_CLASSES.flat(), 'rgba(0,0,0,0)'];

function baseSources(basemap) {
  if (basemap?.kind === 'raster' && basemap.tiles?.length) {
    return {
      sources: { basemap: { type: 'raster', tiles: basemap.tiles, tileSize: 256, attribution: basemap.attribution ?? '' } },
      layers: [{ id: 'basemap', type: 'raster', source: 'basemap', paint: { 'raster-opacity': 0.55, 'raster-saturation': -0.6 } }],
    };
  }
  return { sources: {}, layers: [] };
}

/** The text layers, added once the colored map is on screen (their fonts load meanwhile). */
export function labelLayers() {
  return [
      {
        id: 'parcel-label', type: 'symbol', source: 'parcels', 'source-layer': 'parcels', minzoom: 17.6,
        layout: {
          'text-field': ['get', 'parcel_no'], 'text-font': [FONT], 'text-size': 11, 'text-padding': 1,
        },
        paint: { 'text-color': '#1f2a30', 'text-halo-color': 'rgba(255,255,255,0.85)', 'text-halo-width': 1.2 },
      },
      {
        id: 'segment-label', type: 'symbol', source: 'segments', 'source-layer': 'segments', minzoom: 14.5,
        layout: {
          'symbol-placement': 'line', 'text-field': ['get', 'name'], 'text-font': [FONT_BOLD],
          'text-size': ['interpolate', ['linear'], ['zoom'], 15, 11, 18, 14], 'symbol-spacing': 260,
          'text-max-angle': 30, 'text-padding': 4,
        },
        paint: { 'text-color': '#13212b', 'text-halo-color': '#ffffff', 'text-halo-width': 1.8 },
      },
      {
        // one point a group, in the one tile that holds it (src/ops/tiles.rs GROUP_LABELS)
        id: 'group-label', type: 'symbol', source: 'groups', 'source-layer': 'group_labels',
        layout: {
          'text-field': ['get', 'residential_group'], 'text-font': [FONT_BOLD],
          'text-size': ['interpolate', ['linear'], ['zoom'], 13, 10, 17, 13],
          'text-transform': 'uppercase', 'text-letter-spacing': 0.05, 'text-max-width': 7, 'text-padding': 6,
        },
        paint: { 'text-color': '#4a5761', 'text-halo-color': 'rgba(255,255,255,0.9)', 'text-halo-width': 1.5 },
      },
  ];
}

/**
 * A layer's vector tile URL (parcels, segments, groups): `v` (the data version) changes it when the
 * data does, `as_of` when the date shown does, `u` (ignored by the server, like `v`) when the user
 * logged in does: the parcels' statuses are the caller's to read.
 */
export function tilesUrl(layer, { version, asOf, user } = {}) {
  const q = new URLSearchParams();
  if (version) q.set('v', version);
  if (user && layer === 'parcels') q.set('u', user);
  if (asOf) q.set('as_of', asOf);
  const qs = q.toString();
  return new URL(apiUrl(`/tiles/${layer}/{z}/{x}/{y}.mvt${qs ? `?${qs}` : ''}`), location.href).href.replace(/%7B/g, '{').replace(/%7D/g, '}');
}

/** The parcels' vector tile URL. */
export const parcelTilesUrl = (opts) => tilesUrl('parcels', opts);

/** Every layer's tile URL, by layer. */
export const tileUrls = (opts) => Object.fromEntries(TILE_LAYERS.map((l) => [l, tilesUrl(l, opts)]));

/**
 * Parcel tiles are overzoomed past this zoom (a z17 tile holds about 500 parcels in the densest ward, at 7 cm a
 * unit: enough for z20). MapLibre loads an overzoomed tile once per child shown, so the zoom the page pans at
 * most (17) has tiles of its own.
 */
export const PARCEL_TILE_MAX_ZOOM = 17;
/**
 * Segments and groups have features from zoom 10 (src/ops/tiles.rs AREAS_FROM) and are overzoomed past
 * these: a z16 tile places a road's line within 15 cm, a z15 tile a group's outline within 30 cm, and a
 * pan at zoom 17 then asks few tiles of them.
 */
export const AREA_TILE_MIN_ZOOM = 10;
export const SEGMENT_TILE_MAX_ZOOM = 16;
export const GROUP_TILE_MAX_ZOOM = 15;
export const CORRIDOR_MIN_ZOOM = 14;

export function buildStyle({ basemap, parcelMinZoom = PARCEL_MIN_ZOOM, tiles = {} }) {
  const url = (layer) => tiles[layer] ?? tilesUrl(layer);
  const base = baseSources(basemap);
  // A zoom curve; `k` may be a number or an expression giving the factor per feature.
  const mul = (k, v) => (typeof k === 'number' ? v * k : ['*', v, k]);
  const lineWidth = (k) => ['interpolate', ['exponential', 1.5], ['zoom'], 13, mul(k, 2.5), 16, mul(k, 5), 19, mul(k, 12)];
  return {
    version: 8,
    'font-faces': fontFaces(),
    sources: {
      ...base.sources,
      // Vector tiles (src/api/tiles.rs). Groups: outlines (layer `groups`) and name points (`group_labels`),
      // their feature id the group's name (the idle-days layer's feature state).
      groups: {
        type: 'vector', tiles: [url('groups')], minzoom: AREA_TILE_MIN_ZOOM, maxzoom: GROUP_TILE_MAX_ZOOM,
        promoteId: { groups: 'residential_group', group_labels: 'residential_group' },
      },
      // the segments' corridors (their right-of-way polygons), overzoomed like the segments, from zoom
      // CORRIDOR_MIN_ZOOM: below it a 20 m corridor is under a pixel wide, and a large ward's first
      // map would wait for every corridor of the ward (16,660 at a million parcels: 3 s more)
      corridors: { type: 'vector', tiles: [url('corridors')], minzoom: CORRIDOR_MIN_ZOOM, maxzoom: SEGMENT_TILE_MAX_ZOOM },
      // none below parcelMinZoom: the server answers them empty anyway.
      parcels: { type: 'vector', tiles: [url('parcels')], minzoom: parcelMinZoom, maxzoom: PARCEL_TILE_MAX_ZOOM, promoteId: 'id' },
      segments: { type: 'vector', tiles: [url('segments')], minzoom: AREA_TILE_MIN_ZOOM, maxzoom: SEGMENT_TILE_MAX_ZOOM, promoteId: 'id' },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': BACKGROUND } },
      ...base.layers,
      { id: 'group-fill', type: 'fill', source: 'groups', 'source-layer': 'groups', maxzoom: 15, paint: { 'fill-color': '#ffffff', 'fill-opacity': 0.55 } },
      {
        id: 'parcel-fill', type: 'fill', source: 'parcels', 'source-layer': 'parcels', minzoom: PARCEL_MIN_ZOOM - 0.5,
        paint: { 'fill-color': statusColorExpr, 'fill-opacity': ['interpolate', ['linear'], ['zoom'], 15, 0.4, 17, 0.5, 19, 0.75] },
      },
      {
        id: 'parcel-declined', type: 'fill', source: 'parcels', 'source-layer': 'parcels', minzoom: PARCEL_MIN_ZOOM - 0.5,
        filter: ['==', ['get', 'status'], 'declined'], paint: { 'fill-pattern': 'hatch-declined' },
      },
      {
        id: 'parcel-line', type: 'line', source: 'parcels', 'source-layer': 'parcels', minzoom: PARCEL_MIN_ZOOM - 0.5,
        paint: {
          'line-color': ['case', ['==', ['get', 'status'], 'declined'], '#7d2f5c', '#ffffff'],
          'line-width': ['interpolate', ['linear'], ['zoom'], 15, ['case', ['==', ['get', 'status'], 'declined'], 1.2, 0.3], 18, ['case', ['==', ['get', 'status'], 'declined'], 2.2, 1]],
        },
      },
      {
        // Off until the legend's switch turns it on; over the parcels, so that it reads at any zoom.
        id: 'group-idle', type: 'fill', source: 'groups', 'source-layer': 'groups', layout: { visibility: 'none' },
        paint: { 'fill-color': idleColorExpr, 'fill-opacity': 0.55, 'fill-outline-color': '#4a5761' },
      },
      { id: 'corridor-fill', type: 'fill', source: 'corridors', 'source-layer': 'corridors', paint: { 'fill-color': CORRIDOR_COLOR, 'fill-opacity': 0.16 } },
      { id: 'corridor-hatch', type: 'fill', source: 'corridors', 'source-layer': 'corridors', minzoom: 15, paint: { 'fill-pattern': 'hatch-corridor', 'fill-opacity': 0.9 } },
      {
        id: 'corridor-line', type: 'line', source: 'corridors', 'source-layer': 'corridors',
        paint: { 'line-color': '#b3261e', 'line-width': ['interpolate', ['linear'], ['zoom'], 14, 0.5, 18, 1.5], 'line-dasharray': [3, 2] },
      },
      {
        id: 'group-line', type: 'line', source: 'groups', 'source-layer': 'groups',
        paint: { 'line-color': GROUP_LINE, 'line-width': ['interpolate', ['linear'], ['zoom'], 13, 0.8, 17, 2], 'line-dasharray': [4, 2, 1, 2] },
      },
      {
        id: 'group-selected', type: 'line', source: 'groups', 'source-layer': 'groups', filter: ['==', ['get', 'residential_group'], ''],
        paint: { 'line-color': '#1d2b36', 'line-width': 3.5 },
      },
      {
        id: 'parcel-selected', type: 'line', source: 'parcels', 'source-layer': 'parcels', filter: ['==', ['get', 'id'], -1],
        paint: { 'line-color': '#111111', 'line-width': 3 },
      },
      {
        id: 'segment-selected', type: 'line', source: 'segments', 'source-layer': 'segments', filter: ['==', ['get', 'id'], -1],
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: { 'line-color': '#ffbf47', 'line-width': lineWidth(3.2), 'line-opacity': 0.9, 'line-blur': 1 },
      },
      {
        // Every segment has a casing: white when still open, dark and wider when complete.
        id: 'segment-casing', type: 'line', source: 'segments', 'source-layer': 'segments',
        layout: { 'line-cap': 'butt', 'line-join': 'round' },
        paint: {
          'line-color': ['case', ['==', ['get', 'complete'], true], SEGMENT_CASING, '#ffffff'],
          'line-width': lineWidth(['case', ['==', ['get', 'complete'], true], 2.0, 1.5]),
        },
      },
      {
        id: 'segment-line', type: 'line', source: 'segments', 'source-layer': 'segments',
        layout: { 'line-cap': 'butt', 'line-join': 'round' },
        paint: { 'line-color': progressColorExpr, 'line-width': lineWidth(['case', ['==', ['get', 'complete'], true], 1.25, 1]) },
      },
    ],
  };
}

function hatch(color, bg, size = 8, lineW = 1.6) {
  const c = document.createElement('canvas');
  c.width = c.height = size;
  const g = c.getContext('2d');
  if (bg) { g.fillStyle = bg; g.fillRect(0, 0, size, size); }
  g.strokeStyle = color;
  g.lineWidth = lineW;
  g.beginPath();
  for (const o of [-size, 0, size]) { g.moveTo(o, size); g.lineTo(o + size, 0); }
  g.stroke();
  return g.getImageData(0, 0, size, size);
}

export function bboxOf(geometry) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      if (c[0] < b[0]) b[0] = c[0]; if (c[1] < b[1]) b[1] = c[1];
      if (c[0] > b[2]) b[2] = c[0]; if (c[1] > b[3]) b[3] = c[1];
    } else c.forEach(walk);
  };
  walk(geometry.coordinates);
  return b;
}

export function createMap({ container, config, onReady, tiles }) {
  const narrow = (typeof container === 'string' ? document.getElementById(container) : container)?.clientWidth <= PHONE_WIDTH;
  const style = buildStyle({ basemap: config.basemap, parcelMinZoom: PARCEL_MIN_ZOOM + (narrow ? 1 : 0), tiles });
  let styleArg = style;
  if (config.basemap?.kind === 'style' && config.basemap.url) styleArg = config.basemap.url;
  const map = new maplibregl.Map({
    container,
    style: styleArg,
    bounds: config.bounds,
    fitBoundsOptions: { padding: 24 },
    maxZoom: 20.5,
    // preserveDrawingBuffer: the canvas can be printed and read back; no MSAA: MapLibre's line
    // shaders antialias already, and MSAA costs a lot on software GL (office PCs without a GPU).
    canvasContextAttributes: { preserveDrawingBuffer: true, antialias: false },
    // Labels appear at once: a 300 ms fade keeps software GL drawing frames after every pan (most of a
    // pan's settle on an office PC without a GPU).
    fadeDuration: 0,
    attributionControl: config.basemap ? { compact: true } : false,
    dragRotate: false,
    pitchWithRotate: false,
    localIdeographFontFamily: false,
    locale: mapLocale(),
    // Tiles are fetched in the map's worker (no resource timing on the page): their requests are told here.
    transformRequest: (url, type) => {
      if (type === 'Tile' && url.includes('/tiles/')) map.fire(new maplibregl.Event('tilerequest', { url }));
      return { url };
    },
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
  map.setMissingStyleImageResolver((id) => {
    if (id === 'hatch-declined') map.addImage(id, hatch('#7d2f5c', null, 8, 1.4));
    if (id === 'hatch-corridor') map.addImage(id, hatch('rgba(90,40,130,0.55)', null, 10, 1.2));
  });
  if (styleArg !== style) {
    // A base map style from the office: our layers go on top of it.
    map.once('style.load', () => {
      map.setFontFaces(style['font-faces']);
      for (const [id, s] of Object.entries(style.sources)) if (!map.getSource(id)) map.addSource(id, s);
      for (const l of style.layers) if (l.id !== 'background' && !map.getLayer(l.id)) map.addLayer(l);
      onReady?.();
    });
  } else {
    map.once('load', () => onReady?.());
  }
  // Labels after the first complete frame: the segments show colored without waiting for fonts.
  map.once('idle', () => {
    for (const l of labelLayers()) if (!map.getLayer(l.id)) map.addLayer(l);
  });
  return map;
}

/**
 * A map this narrow (CSS px; the page's phone layout) shows parcels one zoom later: at the ward's
 * zoom a phone's screen holds the whole ward, each parcel a few pixels wide, and the segments and
 * groups tell the story; its first map then fetches no parcels (issue 21).
 */
export const PHONE_WIDTH = 760;

/**
 * The map's vector tiles (issue 18): parcels, segments and residential groups. MapLibre asks the tiles
 * of the view and keeps them; this switches the tile URLs when the date shown or the data version
 * changes (so an event or a replay redraws them), shows the "zoom in" hint, and notes each tile
 * request for the tests and the benchmark (`requests`: the parcels'; `all`: every layer's).
 */
export class ParcelTiles {
  constructor(map, { getAsOf, getVersion, getUser, onZoomHint }) {
    this.map = map;
    this.getAsOf = getAsOf;
    this.getVersion = getVersion;
    this.getUser = getUser;
    this.onZoomHint = onZoomHint;
    this.urls = {};
    this.requests = []; // {url, at} of each parcel tile asked
    this.all = []; // {url, at} of each tile asked, any layer
    map.on('tilerequest', (e) => {
      const q = { url: e.url, at: performance.now() };
      this.all.push(q);
      if (e.url.includes('/tiles/parcels/')) this.requests.push(q);
    });
    map.on('moveend', () => this.hint());
  }

  /** The zoom from which parcels are drawn: one more on a phone-wide map. */
  minZoom() {
    return PARCEL_MIN_ZOOM + (this.map.getContainer().clientWidth <= PHONE_WIDTH ? 1 : 0);
  }

  hint() { this.onZoomHint?.(this.map.getZoom() < this.minZoom()); }

  /** Tiles are MapLibre's to load: the map's own `loaded()` says when they are in. */
  busy() { return false; }

  invalidate() {}

  /** The tile URLs of the date shown and of the data version, per layer. */
  tileUrls() { return tileUrls({ version: this.getVersion?.(), asOf: this.getAsOf?.(), user: this.getUser?.() }); }

  /** Points each source at the tiles of the date shown and of the data version (MapLibre reloads them in place). */
  load() {
    this.hint();
    for (const [layer, url] of Object.entries(this.tileUrls())) {
      const src = this.map.getSource(layer);
      if (!src || this.urls[layer] === url) continue;
      this.urls[layer] = url;
      if (src.tiles?.[0] !== url) src.setTiles([url]);
    }
  }
}

export { maplibregl };
