// Accessibility helpers of the page (issue 21 item 5): keyboard focus into the detail panel and
// back to what opened it, the date slider's spoken value, and MapLibre's own texts in the page's
// language.
import { t, getLang, date } from './i18n.js';

// ------------------------------------------------------------------ focus of the detail panel

/** What had the focus when the panel opened: {el, host, sel} (found again after a re-render). */
let opener = null;
/** The thing the panel shows ("segment:12"), to tell a new opening from a refresh. */
let shownKey = null;
/** Whether the focus was inside the panel's content when it was last redrawn. */
let lostInPanel = false;

/** Called just before the panel's content is replaced. */
export function panelRedrawing(panel) {
  lostInPanel = panel.contains(document.activeElement) && document.activeElement !== panel;
}

const KEYS = ['data-id', 'data-group', 'data-parcel'];

function describe(el) {
  if (!el || el === document.body || el === document.documentElement) return null;
  const attr = KEYS.find((a) => el.hasAttribute(a));
  const host = el.parentElement?.closest('[id]');
  return {
    el,
    host: host?.id ?? null,
    sel: attr ? `${el.tagName.toLowerCase()}[${attr}="${CSS.escape(el.getAttribute(attr))}"]` : null,
  };
}

/** The opener again: itself when still on the page, else its copy in a re-rendered list. */
function findOpener(o) {
  if (!o) return null;
  const shown = (el) => el && el.isConnected && el.getClientRects().length > 0;
  if (shown(o.el)) return o.el;
  if (o.host && o.sel) {
    const again = document.getElementById(o.host)?.querySelector(o.sel);
    if (shown(again)) return again;
  }
  return null;
}

/**
 * Called after the panel's content is set for `key` (what it shows). A new thing (not a refresh
 * of the same one) takes the focus to the panel's heading; the element that had the focus before
 * the panel opened is kept, to go back to on close.
 */
export function panelShown(panel, key) {
  if (key == null) return;
  const heading = panel.querySelector('h3');
  if (heading) heading.tabIndex = -1;
  if (key === shownKey) {
    // A refresh (new data, language) redrew the panel under the focus: it stays in the panel.
    if (document.activeElement === document.body && lostInPanel) heading?.focus({ preventScroll: true });
    lostInPanel = false;
    return;
  }
  lostInPanel = false;
  const before = shownKey;
  shownKey = key;
  const active = document.activeElement;
  // From inside the panel (a parcel of the segment shown), or with the focus lost while it
  // loaded: the first opener stays.
  const from = panel.contains(active) ? null : describe(active);
  if (from) opener = from;
  else if (before == null) opener = null;
  const target = heading ?? panel;
  target.focus({ preventScroll: true });
}

/**
 * Called once the panel is hidden: the focus returns to what opened it (when still there), now
 * and again once `rendered` settles (the list that held the opener may be drawn anew).
 */
export function panelClosed(panel, rendered) {
  shownKey = null;
  const o = opener;
  opener = null;
  const restore = () => {
    const a = document.activeElement;
    if (!panel.contains(a) && a !== document.body && a !== o?.el) return; // the user went elsewhere
    const back = findOpener(o);
    if (back && back !== a) back.focus({ preventScroll: true });
  };
  restore();
  Promise.resolve(rendered).then(restore, () => {});
}

// ------------------------------------------------------------------ the date slider

/** The slider's spoken value: the date it stands for, as the page writes dates (28/11/2026). */
export function sliderText(range, iso, today) {
  range.setAttribute('aria-valuetext', iso === today ? `${date(iso)} (${t('today')})` : date(iso));
}

// ------------------------------------------------------------------ MapLibre's texts

/** MapLibre's `locale` option in the page's language (its defaults are English). */
export function mapLocale(lang = getLang()) {
  const vi = lang === 'vi';
  return {
    'Map.Title': vi ? 'Bản đồ tương tác (kéo để di chuyển, phím + và − để phóng to, thu nhỏ)' : 'Interactive map (drag to move, + and − keys to zoom)',
    'NavigationControl.ZoomIn': vi ? 'Phóng to' : 'Zoom in',
    'NavigationControl.ZoomOut': vi ? 'Thu nhỏ' : 'Zoom out',
    'NavigationControl.ResetBearing': vi ? 'Kéo để xoay bản đồ, bấm để quay về hướng Bắc' : 'Drag to rotate map, click to reset north',
    'AttributionControl.ToggleAttribution': vi ? 'Hiện/ẩn nguồn bản đồ' : 'Toggle attribution',
    'AttributionControl.MapFeedback': vi ? 'Góp ý bản đồ' : 'Map feedback',
    'LogoControl.Title': vi ? 'Biểu trưng MapLibre' : 'MapLibre logo',
    'Popup.Close': vi ? 'Đóng' : 'Close popup',
    'ScaleControl.Meters': 'm',
    'ScaleControl.Kilometers': 'km',
    'CooperativeGesturesHandler.WindowsHelpText': vi ? 'Giữ Ctrl và cuộn để phóng to bản đồ' : 'Use Ctrl + scroll to zoom the map',
    'CooperativeGesturesHandler.MacHelpText': vi ? 'Giữ ⌘ và cuộn để phóng to bản đồ' : 'Use ⌘ + scroll to zoom the map',
    'CooperativeGesturesHandler.MobileHelpText': vi ? 'Dùng hai ngón tay để di chuyển bản đồ' : 'Use two fingers to move the map',
  };
}

/**
 * After a language switch: MapLibre reads its texts when a control is made, so the controls
 * already on the page are retitled here, and the map's table follows for the texts it reads later.
 */
export function localizeMap(map) {
  if (!map) return;
  const loc = mapLocale();
  if (map._locale) Object.assign(map._locale, loc); // read again by the scale bar and new controls
  const box = map.getContainer();
  const set = (sel, key, title = true) => {
    for (const el of box.querySelectorAll(sel)) {
      el.setAttribute('aria-label', loc[key]);
      if (title) el.title = loc[key];
    }
  };
  set('canvas.maplibregl-canvas', 'Map.Title', false);
  set('.maplibregl-ctrl-zoom-in', 'NavigationControl.ZoomIn');
  set('.maplibregl-ctrl-zoom-out', 'NavigationControl.ZoomOut');
  set('.maplibregl-ctrl-compass', 'NavigationControl.ResetBearing');
  set('.maplibregl-ctrl-attrib-button', 'AttributionControl.ToggleAttribution');
}
