// Texts in Vietnamese (default) and English, and the number / date formats.
// Numbers and dates keep the Vietnamese format in both languages: 1.234,5 m² and 28/11/2026.

const STRINGS = {
  vi: {
    title: 'Hiến đất mở đường',
    subtitle: 'Tiến độ giải phóng mặt bằng theo đoạn tuyến',
    demo_badge: 'DỮ LIỆU DEMO — không phải số liệu thật',
    skip_to_panels: 'Tới bảng số liệu',
    date_label: 'Xem theo ngày',
    today: 'Hôm nay',
    print: 'In',
    login: 'Đăng nhập',
    logout: 'Đăng xuất',
    map: 'Bản đồ',
    legend: 'Chú giải',
    close: 'Đóng',
    zoom_hint: 'Phóng to để xem từng thửa đất',
    segments: 'Đoạn tuyến',
    groups: 'Tổ dân phố',
    group: 'Tổ dân phố',
    timeline: 'Biểu đồ tiến độ',
    search_road: 'Tìm tên đường',
    search_placeholder: 'vd. truong thi',
    all: 'Tất cả',
    state: 'Tình trạng',
    not_complete: 'Chưa hoàn thành',
    complete: 'Đã hoàn thành',
    sort_by: 'Sắp xếp',
    sort_name: 'Tên đường',
    sort_progress: 'Tiến độ',
    sort_area: 'Diện tích cần hiến',
    sort_dir: 'Đổi chiều sắp xếp',
    username: 'Tên đăng nhập',
    password: 'Mật khẩu',
    cancel: 'Hủy',
    count_segments: (n, total) => `${n} / ${total} đoạn tuyến`,
    progress_area: 'Tiến độ theo diện tích',
    progress_households: 'Tiến độ theo số hộ',
    required_area: 'Diện tích cần hiến',
    handed_over_area: 'Diện tích đã bàn giao',
    parcels_affected: 'Số thửa bị ảnh hưởng',
    parcels: 'Số thửa',
    households_by_status: 'Số hộ theo trạng thái',
    width_current: 'Mặt cắt hiện trạng',
    width_planned: 'Mặt cắt quy hoạch',
    ward_total: 'Toàn phường',
    segments_complete: (a, b) => `${a} / ${b} đoạn tuyến đã hoàn thành`,
    map_sheet: 'Tờ bản đồ',
    parcel_no: 'Số thửa',
    parcel: 'Thửa đất',
    land_use: 'Loại đất',
    legal_area: 'Diện tích pháp lý',
    donated_area: 'Diện tích hiến',
    frontage: 'Chiều dài mặt tiền',
    depth_mean: 'Chiều sâu hiến trung bình',
    depth_max: 'Chiều sâu hiến lớn nhất',
    status: 'Trạng thái',
    history: 'Lịch sử',
    no_history: 'Chưa có sự kiện nào',
    owner: 'Chủ hộ',
    households: 'Hộ gia đình',
    member_family: 'Gia đình cán bộ, đảng viên',
    structures: 'Công trình trên đất',
    structures_count: 'Số công trình trên thửa bị ảnh hưởng',
    structures_donated: 'Số công trình hiến',
    structures_value: 'Giá trị công trình hiến (ước tính)',
    donated: 'hiến',
    not_donated: 'chưa hiến',
    kind_wall: 'Tường rào',
    kind_gate: 'Cổng',
    kind_house_front: 'Mặt tiền nhà',
    kind_awning: 'Mái che / mái hiên',
    kind_yard: 'Sân',
    kind_tree: 'Cây',
    kind_well: 'Giếng',
    kind_other: 'Khác',
    unit_m: 'm',
    unit_m2: 'm²',
    unit_item: 'cái',
    entered_by: 'người nhập',
    party_member: 'đảng viên',
    change_status: 'Cập nhật trạng thái',
    new_status: 'Trạng thái mới',
    occurred_on: 'Ngày diễn ra',
    note: 'Ghi chú',
    member: 'Đảng viên phụ trách',
    save: 'Lưu',
    saved: 'Đã lưu thay đổi',
    no_next: 'Thửa đã bàn giao mặt bằng: không còn bước tiếp theo.',
    past_readonly: 'Đang xem ngày đã qua: chọn “Hôm nay” để cập nhật trạng thái.',
    donation_to: 'Phần đất hiến theo đoạn tuyến',
    depth_short: 'Chiều sâu TB / lớn nhất',
    frontage_short: 'Mặt tiền',
    segment_no: 'Đoạn',
    corridor: 'Chỉ giới đường đỏ (phần đất hiến)',
    segment_progress: 'Đoạn tuyến — tiến độ theo diện tích',
    seg_complete_legend: 'Đoạn đã hoàn thành (nét đôi)',
    parcel_status: 'Thửa đất theo trạng thái',
    group_boundary: 'Ranh giới tổ dân phố',
    as_of_banner: (d) => `Đang xem tình trạng ngày ${d}`,
    chart_title: 'Tiến độ toàn phường theo thời gian',
    chart_area: 'Theo diện tích đã bàn giao',
    chart_households: 'Theo số hộ đã bàn giao',
    chart_hint: 'Bấm vào biểu đồ để xem bản đồ ngày đó.',
    col_group: 'Tổ dân phố',
    col_parcels: 'Số thửa',
    col_required: 'DT cần hiến (m²)',
    col_handed: 'DT đã bàn giao (m²)',
    col_progress: 'Tiến độ',
    col_hh: 'Hộ đã bàn giao',
    col_segment: 'Đoạn tuyến',
    print_title: 'Báo cáo tiến độ hiến đất mở đường',
    print_date: (d) => `Tình trạng ngày ${d}`,
    printed_on: (d) => `In ngày ${d}`,
    login_failed: 'Đăng nhập không thành công',
    logged_in_as: (n, r) => `${n} (${r})`,
    role_admin: 'quản trị',
    role_editor: 'biên tập',
    role_viewer: 'chỉ xem',
    updated: 'Dữ liệu vừa được cập nhật',
    bad_date: 'Ngày không hợp lệ — nhập theo dạng dd/mm/yyyy',
    loading: 'Đang tải…',
    error_load: 'Không tải được dữ liệu',
    export_open: 'Tải về cho trắc địa',
    export_title: 'Tải về cho trắc địa',
    export_scope: 'Phạm vi',
    export_format: 'Định dạng tệp',
    fmt_gpkg: 'GeoPackage (QGIS)',
    fmt_shp: 'Shapefile (.zip)',
    fmt_dxf: 'DXF (AutoCAD, VN-2000)',
    fmt_kml: 'KML (Google Earth)',
    fmt_geojson: 'GeoJSON',
    fmt_csv: 'Bảng tọa độ CSV (Excel)',
    fmt_gpkg_desc: 'Nhiều lớp trong một tệp; VN-2000 hoặc WGS84',
    fmt_shp_desc: 'Một lớp, nén .zip; VN-2000 hoặc WGS84',
    fmt_dxf_desc: 'Nhiều lớp, bản vẽ theo tọa độ VN-2000 (mét)',
    fmt_kml_desc: 'Nhiều lớp, kinh độ, vĩ độ WGS84',
    fmt_geojson_desc: 'Một lớp, kinh độ, vĩ độ WGS84 (web, QGIS)',
    fmt_csv_desc: 'Một lớp, tọa độ X (Bắc), Y (Đông) VN-2000',
    export_layers_many: 'Lớp dữ liệu (chọn một hoặc nhiều)',
    export_layers_one: 'Lớp dữ liệu (định dạng này chứa một lớp)',
    export_need_layer: 'Chọn ít nhất một lớp.',
    layer_parcels: 'Thửa đất',
    layer_strips: 'Phần đất hiến',
    layer_corridors: 'Hành lang mở rộng',
    layer_centerlines: 'Tim đường',
    layer_edges: 'Chỉ giới mới',
    layer_stakes: 'Cọc mốc',
    export_crs: 'Hệ tọa độ',
    crs_vn2000: 'VN-2000 (mét, mặc định của phường)',
    crs_wgs84: 'WGS84 (kinh độ, vĩ độ)',
    crs_note_wgs84: (f) => `${f} luôn dùng kinh độ, vĩ độ WGS84.`,
    crs_note_vn2000: (f) => `${f} luôn dùng tọa độ phẳng VN-2000 (mét).`,
    export_interval: 'Khoảng cách giữa các cọc (m)',
    export_personal: 'Kèm tên chủ sử dụng',
    export_personal_parcels: 'chỉ có trong lớp Thửa đất',
    export_personal_privacy: 'Dữ liệu cá nhân: chỉ dùng cho công việc, không chia sẻ ra ngoài.',
    export_current_only: 'Tệp tải về theo tình trạng hiện tại, không theo ngày đang xem.',
    download: 'Tải về',
    export_preparing: 'Đang tạo tệp…',
    export_done: (f, kb, s) => `Đã tải về ${f} (${kb} KB, ${s} giây).`,
    zoom_to: 'Phóng tới',
    select_segment: 'Chọn để xem trên bản đồ',
    m: 'm',
    of: 'trên',
    status_label: {
      not_contacted: 'Chưa tiếp cận',
      persuading: 'Đang vận động',
      declined: 'Chưa đồng ý',
      agreed: 'Đã đồng ý',
      signed: 'Đã ký biên bản',
      handed_over: 'Đã bàn giao mặt bằng',
    },
  },
  en: {
    title: 'Land donation for road widening',
    subtitle: 'Site clearance progress by road segment',
    demo_badge: 'DEMO DATA — not real figures',
    skip_to_panels: 'Skip to the tables',
    date_label: 'State on date',
    today: 'Today',
    print: 'Print',
    login: 'Log in',
    logout: 'Log out',
    map: 'Map',
    legend: 'Legend',
    close: 'Close',
    zoom_hint: 'Zoom in to see individual parcels',
    segments: 'Road segments',
    groups: 'Residential groups',
    group: 'Residential group',
    timeline: 'Progress chart',
    search_road: 'Search road name',
    search_placeholder: 'e.g. truong thi',
    all: 'All',
    state: 'State',
    not_complete: 'Not complete',
    complete: 'Complete',
    sort_by: 'Sort by',
    sort_name: 'Road name',
    sort_progress: 'Progress',
    sort_area: 'Area to donate',
    sort_dir: 'Reverse sort order',
    username: 'User name',
    password: 'Password',
    cancel: 'Cancel',
    count_segments: (n, total) => `${n} of ${total} road segments`,
    progress_area: 'Progress by area',
    progress_households: 'Progress by households',
    required_area: 'Area to donate',
    handed_over_area: 'Area handed over',
    parcels_affected: 'Parcels affected',
    parcels: 'Parcels',
    households_by_status: 'Households by status',
    width_current: 'Current width',
    width_planned: 'Planned width',
    ward_total: 'Whole ward',
    segments_complete: (a, b) => `${a} of ${b} road segments complete`,
    map_sheet: 'Map sheet',
    parcel_no: 'Parcel no.',
    parcel: 'Land parcel',
    land_use: 'Land use',
    legal_area: 'Legal area',
    donated_area: 'Donated area',
    frontage: 'Frontage',
    depth_mean: 'Mean donated depth',
    depth_max: 'Max donated depth',
    status: 'Status',
    history: 'History',
    no_history: 'No events yet',
    owner: 'Head of household',
    households: 'Households',
    member_family: 'Family of a cadre or party member',
    structures: 'Structures on the land',
    structures_count: 'Structures on affected parcels',
    structures_donated: 'Structures donated',
    structures_value: 'Value of donated structures (estimated)',
    donated: 'donated',
    not_donated: 'not donated',
    kind_wall: 'Fence / wall',
    kind_gate: 'Gate',
    kind_house_front: 'House front',
    kind_awning: 'Roof / awning',
    kind_yard: 'Yard',
    kind_tree: 'Tree',
    kind_well: 'Well',
    kind_other: 'Other',
    unit_m: 'm',
    unit_m2: 'm²',
    unit_item: 'item(s)',
    entered_by: 'entered by',
    party_member: 'party member',
    change_status: 'Change status',
    new_status: 'New status',
    occurred_on: 'Date it happened',
    note: 'Note',
    member: 'Party member in charge',
    save: 'Save',
    saved: 'Change saved',
    no_next: 'Site handed over: no further step.',
    past_readonly: 'Viewing a past date: choose “Today” to change statuses.',
    donation_to: 'Donated strip by road segment',
    depth_short: 'Depth mean / max',
    frontage_short: 'Frontage',
    segment_no: 'Segment',
    corridor: 'Planned right-of-way (donated strip)',
    segment_progress: 'Road segments — progress by area',
    seg_complete_legend: 'Complete segment (double line)',
    parcel_status: 'Parcels by status',
    group_boundary: 'Residential group boundary',
    as_of_banner: (d) => `Showing the state on ${d}`,
    chart_title: 'Ward progress over time',
    chart_area: 'By area handed over',
    chart_households: 'By households handed over',
    chart_hint: 'Click the chart to see the map on that date.',
    col_group: 'Residential group',
    col_parcels: 'Parcels',
    col_required: 'Area to donate (m²)',
    col_handed: 'Handed over (m²)',
    col_progress: 'Progress',
    col_hh: 'Households handed over',
    col_segment: 'Road segment',
    print_title: 'Land donation progress report',
    print_date: (d) => `State on ${d}`,
    printed_on: (d) => `Printed ${d}`,
    login_failed: 'Login failed',
    logged_in_as: (n, r) => `${n} (${r})`,
    role_admin: 'admin',
    role_editor: 'editor',
    role_viewer: 'viewer',
    updated: 'Data just updated',
    bad_date: 'Invalid date — type it as dd/mm/yyyy',
    loading: 'Loading…',
    error_load: 'Could not load the data',
    export_open: 'Download for surveyors',
    export_title: 'Download for surveyors',
    export_scope: 'Scope',
    export_format: 'File format',
    fmt_gpkg: 'GeoPackage (QGIS)',
    fmt_shp: 'Shapefile (.zip)',
    fmt_dxf: 'DXF (AutoCAD, VN-2000)',
    fmt_kml: 'KML (Google Earth)',
    fmt_geojson: 'GeoJSON',
    fmt_csv: 'CSV coordinate table (Excel)',
    fmt_gpkg_desc: 'Several layers in one file; VN-2000 or WGS84',
    fmt_shp_desc: 'One layer, zipped; VN-2000 or WGS84',
    fmt_dxf_desc: 'Several layers, a drawing in VN-2000 metres',
    fmt_kml_desc: 'Several layers, WGS84 longitude/latitude',
    fmt_geojson_desc: 'One layer, WGS84 longitude/latitude (web, QGIS)',
    fmt_csv_desc: 'One layer, VN-2000 X (north), Y (east)',
    export_layers_many: 'Layers (one or more)',
    export_layers_one: 'Layer (this format holds one)',
    export_need_layer: 'Choose at least one layer.',
    layer_parcels: 'Parcels',
    layer_strips: 'Donated strips',
    layer_corridors: 'Widening corridors',
    layer_centerlines: 'Centerlines',
    layer_edges: 'New right-of-way edges',
    layer_stakes: 'Staking points',
    export_crs: 'Coordinate system',
    crs_vn2000: 'VN-2000 (metres, the ward\'s default)',
    crs_wgs84: 'WGS84 (longitude, latitude)',
    crs_note_wgs84: (f) => `${f} is always WGS84 longitude/latitude.`,
    crs_note_vn2000: (f) => `${f} is always in VN-2000 projected metres.`,
    export_interval: 'Distance between stakes (m)',
    export_personal: 'Include owners\' names',
    export_personal_parcels: 'in the Parcels layer only',
    export_personal_privacy: 'Personal data: for official work only, do not pass it on.',
    export_current_only: 'Files hold the current state, not the date shown.',
    download: 'Download',
    export_preparing: 'Preparing…',
    export_done: (f, kb, s) => `Downloaded ${f} (${kb} KB, ${s} s).`,
    zoom_to: 'Zoom to',
    select_segment: 'Select to show on the map',
    m: 'm',
    of: 'of',
    status_label: {
      not_contacted: 'Not contacted',
      persuading: 'Being persuaded',
      declined: 'Declined',
      agreed: 'Agreed',
      signed: 'Record signed',
      handed_over: 'Site handed over',
    },
  },
};

let lang = 'vi';
try {
  if (localStorage.getItem('hiendat.lang') === 'en') lang = 'en';
} catch { /* storage may be disabled */ }

export function getLang() { return lang; }

export function setLang(l) {
  lang = l === 'en' ? 'en' : 'vi';
  try { localStorage.setItem('hiendat.lang', lang); } catch { /* ignore */ }
  document.documentElement.lang = lang;
}

/** The text for `key`; functions are called with `args`. */
export function t(key, ...args) {
  const v = STRINGS[lang][key] ?? STRINGS.vi[key];
  if (v === undefined) return key;
  return typeof v === 'function' ? v(...args) : v;
}

export function statusLabel(s) {
  return STRINGS[lang].status_label[s] ?? s;
}

/** Applies the static texts of the page (data-i18n, data-i18n-placeholder, data-i18n-aria). */
export function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
}

const nf = new Map();
/** A number in Vietnamese format: 1.234,5 */
export function num(x, digits = 1) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  let f = nf.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 0, maximumFractionDigits: digits });
    nf.set(digits, f);
  }
  return f.format(x);
}
export const area = (x) => `${num(x, 1)} m²`;
export const metres = (x) => `${num(x, 2)} m`;
export const pct = (x) => `${num(x, 1)} %`;
/** An amount of đồng, Vietnamese style whatever the language: 1.500.000 ₫ */
export function vnd(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  const n = Math.round(Number(x));
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${n < 0 ? '-' : ''}${digits} ₫`;
}

/** 'YYYY-MM-DD' (or an ISO timestamp) → '28/11/2026' */
export function date(iso) {
  if (!iso) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** '28/11/2026' (or '2026-11-28') → '2026-11-28', or null when not a real date. */
export function parseDate(s) {
  s = (s || '').trim();
  let y, mo, d;
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  if (m) { d = +m[1]; mo = +m[2]; y = +m[3]; } else {
    m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    if (!m) return null;
    y = +m[1]; mo = +m[2]; d = +m[3];
  }
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return dt.toISOString().slice(0, 10);
}

/** Lower case without diacritics: "Trường Thi" → "truong thi". */
export function fold(s) {
  return (s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'd').toLowerCase();
}

/** Natural comparison of Vietnamese names: "Tổ dân phố 2" before "Tổ dân phố 10". */
const collator = new Intl.Collator('vi', { numeric: true, sensitivity: 'base' });
export const compareNames = (a, b) => collator.compare(a || '', b || '');
