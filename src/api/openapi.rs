//! `GET /api/openapi.json`: the API described by hand (OpenAPI 3.1). A
//! test reads the resource routers' `.route(...)` lines in `src/api/` and
//! checks that every route and method is described here, and nothing else.

use super::AppState;
use axum::routing;
use axum::{Json, Router};
use serde_json::{Value, json};

/// The description's route.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", routing::get(openapi))
}

fn as_of() -> Value {
    json!({ "name": "as_of", "in": "query", "required": false,
            "description": "Ngày xem lại / replay the state at the end of this date",
            "schema": { "type": "string", "format": "date" } })
}

fn errors() -> Value {
    json!({ "description": "{\"error\": {\"code\", \"message\"}}",
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn get(summary: &str, params: Value) -> Value {
    json!({ "get": { "summary": summary, "parameters": params,
        "responses": { "200": { "description": "OK" }, "4XX": errors() } } })
}

/// A write with a JSON body (`schema`, a name under components) answering
/// `ok` (201 or 200); editors and admins.
fn write(summary: &str, params: Value, schema: &str, ok: &str) -> Value {
    json!({ "summary": summary, "parameters": params,
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } },
        "responses": { ok: { "description": "OK" }, "401": errors(), "403": errors(), "404": errors(),
            "409": errors(), "415": errors(), "422": errors(), "429": errors() } })
}

async fn openapi() -> Json<Value> {
    Json(document())
}

/// The description.
fn document() -> Value {
    let q = |name: &str, d: &str| json!({ "name": name, "in": "query", "required": false, "description": d, "schema": { "type": "string" } });
    let id =
        json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } });
    let date = |name: &str| json!({ "name": name, "in": "query", "required": false, "schema": { "type": "string", "format": "date" } });
    let report_params = json!([
        { "name": "by", "in": "query", "description": "segment, group, cell, member, lagging, commendation or all; comma separated (cell, member: editor+); or periodic: the Party's periodic report (letterhead, narrative, appendix; editor+)", "schema": { "type": "string" } },
        { "name": "format", "in": "query", "schema": { "type": "string", "enum": ["xlsx", "html", "csv", "docx"] } },
        date("as_of"), date("from"),
        { "name": "lag_days", "in": "query", "schema": { "type": "integer" } },
        { "name": "min_area", "in": "query", "schema": { "type": "number" } },
        { "name": "min_value", "in": "query", "schema": { "type": "integer" } },
        { "name": "internal", "in": "query", "description": "1: the commendation list names every donor (viewer+)", "schema": { "type": "string", "enum": ["0", "1"] } },
        { "name": "bilingual", "in": "query", "description": "1: the periodic report's HTML with English subtitles (screen); without it the official print, Vietnamese only", "schema": { "type": "string", "enum": ["0", "1"] } },
        { "name": "year", "in": "query", "description": "with by=evaluation: the year evaluated (default: this year)", "schema": { "type": "integer" } }
    ]);
    let name =
        json!({ "name": "name", "in": "path", "required": true, "schema": { "type": "string" } });
    let sid = json!({ "name": "sid", "in": "path", "required": true, "description": "the structure's id", "schema": { "type": "integer" } });
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "hiendat",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Hiến đất mở đường / road-widening land donation campaign. Anonymous callers see geometry, measures and progress, with the public statuses (not_yet = not contacted, being persuaded or declined; agreed; signed; handed_over), also in every count; logged-in users (cookie from POST /api/login) see each step and names."
        },
        "paths": {
            "/healthz": get("Liveness", json!([])),
            "/tiles/{layer}/{z}/{x}/{y}": get("Ô bản đồ vector / Mapbox vector tile (application/vnd.mapbox-vector-tile; the last segment is {y}.mvt): parcels (z ≥ 15: id, status as the caller may read it, parcel_no, donated_area_m2, depth_max_m), segments and groups (z ≥ 10: progress_pct, complete); 204 when empty; ETag, 304 on If-None-Match; 400 naming z, x or y", json!([
                { "name": "layer", "in": "path", "required": true, "schema": { "type": "string", "enum": ["parcels", "segments", "groups"] } },
                { "name": "z", "in": "path", "required": true, "schema": { "type": "integer", "minimum": 0, "maximum": 22 } },
                { "name": "x", "in": "path", "required": true, "schema": { "type": "integer", "minimum": 0 } },
                { "name": "y", "in": "path", "required": true, "description": "y, then .mvt", "schema": { "type": "string" } },
                as_of()])),
            "/api/segments": get("Đoạn tuyến / segments as GeoJSON with donated area and progress", json!([as_of()])),
            "/api/parcels": get("Thửa đất / parcels as GeoJSON with measures and status", json!([
                q("bbox", "minlon,minlat,maxlon,maxlat"), q("segment", "segment id"),
                q("group", "residential group name"), q("status", "not_yet | agreed | signed | handed_over; logged in also not_contacted | persuading | declined"),
                q("fields", "only these properties, comma separated (id, map_sheet, parcel_no, land_use, legal_area_m2, residential_group, owner, status, status_label, donated_area_m2, donations)"), as_of()])),
            "/api/parcels/{id}": get("Một thửa đất, công trình trên đất và lịch sử / one parcel with its structures on the land ({kind, label, quantity, unit, unit_label, value_vnd, donated}) and its history; now (no as_of): header ETag and \"version\", which every write on the parcel may send back as If-Match (stale: 412 with the current parcel)", json!([id, as_of()])),
            "/api/parcels/{id}/events": { "post": {
                "summary": "Ghi nhận trạng thái / record a status change (editor, admin)",
                "parameters": [id],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewEvent" } } } },
                "responses": { "201": { "description": "Recorded" }, "401": errors(), "403": errors(), "404": errors(), "409": errors(), "422": errors() } } },
            "/api/summary/segments": get("Tổng hợp theo đoạn tuyến / per segment: progress, and the structures on its affected parcels (structures, structures_donated, structures_donated_value_vnd, structures_by_kind)", json!([as_of()])),
            "/api/summary/groups": get("Tổng hợp theo tổ dân phố / per residential group: progress, and the structures on its affected parcels, each parcel once (structures, structures_donated, structures_donated_value_vnd, structures_by_kind)", json!([as_of()])),
            "/api/progress": get("Tiến độ theo ngày / progress on each date with a change (of a status or a structure), with the ward's structures, structures_donated, structures_donated_value_vnd on that day", json!([as_of()])),
            "/api/login": { "post": {
                "summary": "Đăng nhập / log in: sets an HttpOnly SameSite=Strict cookie",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Login" } } } },
                "responses": { "200": { "description": "Logged in" }, "401": errors() } } },
            "/api/logout": { "post": { "summary": "Đăng xuất / log out", "responses": { "204": { "description": "Logged out" } } } },
            "/api/me": get("Người dùng hiện tại / the logged-in user or null", json!([])),
            "/api/groups": get("Tổ dân phố (GeoJSON, đường bao) / residential groups as GeoJSON outlines with their figures", json!([as_of()])),
            "/api/corridors": get("Chỉ giới quy hoạch / planned corridors as GeoJSON, one per segment", json!([])),
            "/api/export": {
                "get": { "summary": "Tệp cho trắc địa / surveyor files: GeoPackage, zipped Shapefile, DXF (VN-2000); KML, GeoJSON (WGS84); CSV coordinate tables (X north, Y east)",
                    "parameters": [
                        { "name": "format", "in": "query", "required": true, "schema": { "type": "string", "enum": ["gpkg", "shp", "dxf", "kml", "geojson", "csv"] } },
                        { "name": "layers", "in": "query", "description": "comma-separated: parcels, strips, corridors, centerlines, edges, stakes (several only for gpkg, dxf, kml)", "schema": { "type": "string", "default": "parcels" } },
                        { "name": "segment", "in": "query", "schema": { "type": "string" } },
                        { "name": "group", "in": "query", "schema": { "type": "string" } },
                        { "name": "crs", "in": "query", "description": "EPSG:5897 and the other VN-2000 zones, EPSG:4326, or any other EPSG code of a projected CRS in metres; default: the measuring CRS (WGS84 for kml, geojson)", "schema": { "type": "string" } },
                        { "name": "interval", "in": "query", "description": "metres between staking points (at least 0.1; at most 200,000 stakes and 1,000,000 features per export, 512 MiB per file: 422 export_limit beyond)", "schema": { "type": "number", "default": 10, "minimum": 0.1 } },
                        { "name": "personal", "in": "query", "description": "1: owners' names (logged-in users only)", "schema": { "type": "string", "enum": ["0", "1"] } }
                    ],
                    "responses": { "200": { "description": "The file, as an attachment" }, "400": errors(), "401": errors(), "404": errors(), "422": errors() } } },
            "/api/config": get("Cấu hình trang bản đồ / the map page's set-up: demo, base map, bounds, data version; view (ward or province), ward, ward_code, wards the caller may open ({code, name, url}), province", json!([])),
            "/api/version": get("Phiên bản dữ liệu / a token that changes with every event and import (of the ward; of every ward in the province view)", json!([])),
            "/api/wards": get("Các phường, xã / every ward's figures (parcels_affected, households, areas, progress_pct, segments, segments_complete, lagging, last_step, idle_days; first: sensitive readers) and the province's totals; each ward's pages and API under its url /w/{code}/ (unprefixed: the user's ward, the server's default or the only one; else 400 ward_required; another ward's user: 403 out_of_ward; unknown code: 404 no_such_ward)", json!([as_of(),
                { "name": "lag_days", "in": "query", "required": false, "description": "Chậm sau số ngày / lagging after this many idle days (default 30)", "schema": { "type": "integer", "minimum": 0, "maximum": 3650 } }])),
            "/api/wards/outlines": get("Ranh giới phường, xã / the wards' outlines as GeoJSON (code, name, url)", json!([])),
            "/api/users": {
                "get": { "summary": "Người dùng / every user and role (admin)",
                    "responses": { "200": { "description": "OK" }, "401": errors(), "403": errors() } },
                "post": { "summary": "Thêm người dùng / add a user (admin)",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewUser" } } } },
                    "responses": { "201": { "description": "Added" }, "401": errors(), "403": errors(), "409": errors(), "422": errors() } } },
            "/api/users/{name}": {
                "patch": { "summary": "Đổi vai trò, mật khẩu / change a role or password (admin); the user is logged out",
                    "parameters": [{ "name": "name", "in": "path", "required": true, "schema": { "type": "string" } }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/UserChange" } } } },
                    "responses": { "200": { "description": "Changed" }, "401": errors(), "403": errors(), "404": errors(), "409": errors(), "422": errors() } },
                "delete": { "summary": "Xóa người dùng / remove a user (admin); the last admin stays",
                    "parameters": [{ "name": "name", "in": "path", "required": true, "schema": { "type": "string" } }],
                    "responses": { "204": { "description": "Removed" }, "401": errors(), "403": errors(), "404": errors(), "409": errors() } } },
        },
        "components": { "schemas": {
            "Error": { "type": "object", "properties": { "error": { "type": "object",
                "properties": { "code": { "type": "string" }, "message": { "type": "string" } }, "required": ["code", "message"] } } },
            "Login": { "type": "object", "required": ["name", "password"],
                "properties": { "name": { "type": "string" }, "password": { "type": "string" } } },
            "NewUser": { "type": "object", "required": ["name", "role", "password"], "additionalProperties": false,
                "properties": { "name": { "type": "string" }, "role": { "type": "string", "enum": ["admin", "editor", "viewer"] },
                    "password": { "type": "string" } } },
            "UserChange": { "type": "object", "additionalProperties": false,
                "properties": { "role": { "type": "string", "enum": ["admin", "editor", "viewer"] }, "password": { "type": "string" } } },
            "NewEvent": { "type": "object", "required": ["status", "occurred_on"], "additionalProperties": false,
                "properties": {
                    "status": { "type": "string", "enum": ["not_contacted", "persuading", "declined", "agreed", "signed", "handed_over"] },
                    "occurred_on": { "type": "string", "format": "date" },
                    "note": { "type": "string" }, "party_member": { "type": "string" },
                    "corrects": { "type": "integer", "description": "id of the event this one corrects" } } },
            "Structure": { "type": "object", "description": "Công trình trên đất / a structure on the parcel's land (in /api/parcels/{id} as `structures`)",
                "properties": {
                    "kind": { "type": "string", "enum": ["wall", "gate", "house_front", "awning", "yard", "tree", "well", "other"] },
                    "label": { "type": "string", "description": "Vietnamese label: Tường rào, Cổng, Mặt tiền nhà, Mái che / mái hiên, Sân, Cây, Giếng, Khác" },
                    "quantity": { "type": ["number", "null"] },
                    "unit": { "type": ["string", "null"], "enum": ["m", "m2", "item", null] },
                    "unit_label": { "type": ["string", "null"], "description": "m, m², cái" },
                    "value_vnd": { "type": ["integer", "null"], "description": "estimated value in đồng" },
                    "donated": { "type": "boolean" } } },
            "StructureTotals": { "type": "object", "description": "Công trình trên các thửa bị ảnh hưởng / structures on the affected parcels (fields of /api/summary/segments and /api/summary/groups rows)",
                "properties": {
                    "structures": { "type": "integer" },
                    "structures_donated": { "type": "integer" },
                    "structures_donated_value_vnd": { "type": "integer", "description": "sum of the values of the donated ones" },
                    "structures_by_kind": { "type": "object", "additionalProperties": { "type": "integer" }, "description": "count per kind code, kinds present only" } } }
        } }
    });
    let more = json!({
            "/api/openapi.json": get("Mô tả API này / this description (OpenAPI 3.1)", json!([])),
            "/api/users/{name}/unlock": { "post": {
                "summary": "Mở khóa đăng nhập / unlock a name locked after failed logins (admin)",
                "parameters": [name.clone()],
                "responses": { "200": { "description": "The user with failed_logins and locked_until" }, "401": errors(), "403": errors(), "404": errors() } } },
            "/api/org": get("Tổ chức / party cells, their groups, area leads; members and households for editors (logged)", json!([])),
            "/api/parcels/{id}/assignment": { "post": write("Phân công / assign a party member to the parcel's household (editor+)", json!([id.clone()]), "NewAssignment", "201") },
            "/api/parcels/{id}/household": { "patch": write("Hộ gia đình / flag a family of a cadre or party member; consent to be named publicly (editor+)", json!([id.clone()]), "HouseholdFlags", "200") },
            "/api/parcels/{id}/records": { "post": write("Biên bản hiến đất / file a donation record (editor+)", json!([id.clone()]), "NewRecord", "201") },
            "/api/parcels/{id}/contacts": { "post": write("Lần vận động / log a persuasion visit (editor+)", json!([id.clone()]), "NewContact", "201") },
            "/api/parcels/{id}/grievances": { "post": write("Kiến nghị / record a grievance (editor+)", json!([id.clone()]), "NewGrievance", "201") },
            "/api/grievances/{id}/answer": { "post": write("Trả lời kiến nghị / answer a grievance (editor+)", json!([id.clone()]), "Answer", "200") },
            "/api/parcels/{id}/attachments": { "post": {
                "summary": "Tải tệp lên / upload a scan or photo as the raw body (PDF, JPEG, PNG, WebP; 10 MB) (editor+); the session is checked before the body is read",
                "parameters": [id.clone(), q("name", "file name"), q("caption", "caption")],
                "requestBody": { "required": true, "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } } },
                "responses": { "201": { "description": "Stored, with its SHA-256" }, "401": errors(), "403": errors(), "404": errors(), "413": errors(), "415": errors(), "422": errors() } } },
            "/api/attachments/{id}": get("Tệp đính kèm / an uploaded file (viewer+)", json!([id.clone()])),
            "/api/access-log": get("Nhật ký truy cập / who read sensitive data (admin)", json!([q("limit", "newest rows")])),
            "/api/my/households": get("Việc của tôi / a party member's households for the field (assigned today and their own family), GeoJSON ordered by next step (first_visit, visit_again, sign_record, keep_persuading, hand_over, done) with member, as_of, idle_days; member/secretary: their own; sensitive readers: any member= (logged)", json!([q("member", "party member code (required without a member code of your own)")])),
            "/api/party/first": get("Đảng viên đi trước / each member's own family and each cell's going-first share (sensitive readers; logged)", json!([q("as_of", "YYYY-MM-DD, default today")])),
            "/api/party/commendation": get("Biểu dương / collectives and individuals commended for a period, this month by default (members: sensitive readers, logged)", json!([q("as_of", "YYYY-MM-DD, default today"), q("from", "YYYY-MM-DD, default the first of the month")])),
            "/api/reports": get("Báo cáo định kỳ / periodic reports as xlsx, A4 HTML, CSV, Word .docx (cell, member: editor+; internal commendation: viewer+); limited per client", report_params),
            "/api/reports/frozen": {
                "get": { "summary": "Báo cáo đã chốt / the reports as issued, newest first (issued_by: logged-in callers only)",
                    "responses": { "200": { "description": "OK" } } },
                "post": write("Chốt báo cáo / keep a report as issued today (editor+)", json!([]), "Freeze", "201") },
            "/api/reports/frozen/{id}": get("Một báo cáo đã chốt / a report exactly as issued", json!([id.clone(), q("format", "xlsx | html | csv | docx"), q("bilingual", "1: a periodic report's HTML with English subtitles")])),
            "/api/reports/periodic": get("Báo cáo định kỳ theo thể thức của Đảng / the periodic report's letterhead and generated narrative, to edit before freezing (editor+)", json!([q("as_of", "YYYY-MM-DD"), q("from", "YYYY-MM-DD"), q("lag_days", "days without progress")])),
            "/api/reports/preview": { "post": write("Xem trước / the HTML page a freeze body would keep, kept nowhere (editor+)", json!([]), "Freeze", "200") },
            "/api/print": get("Bản đồ hiến đất để in / the printable map sheet (HTML, A4 or A3 landscape) of a residential group or a road segment: map drawn in VN-2000 at 1:500, 1:1000, 1:2000 or 1:5000 with grid, scale bar, north arrow, parcel and map sheet numbers; the area's figures and parcels (names: logged-in readers within their scope; public statuses for anonymous callers)", json!([q("group", "a residential group's name (or its number)"), q("segment", "a road segment's id; give group or segment"), as_of(), q("paper", "a4 (default) | a3")])),
            "/api/parcels/{id}/record": get("Biên bản in / the printable donation record, pre-filled (viewer+)", json!([id.clone()])),
            "/api/parcels/{id}/structures": {
                "get": get("Công trình trên đất / the structures on the parcel's land as they stand, or stood at the end of as_of: each Structure with id, version and (logged-in) last_change; the history (logged-in; notes: editor+)", json!([id.clone(), as_of()]))["get"].clone(),
                "post": write("Thêm công trình / add a structure, recorded with the day it took effect, who and when (editor+)", json!([id.clone()]), "StructureBody", "201") },
            "/api/parcels/{id}/structures/{sid}": {
                "put": write("Sửa công trình / new values of a structure, the donated flag among them (editor+); version: the one it was read at, else 409", json!([id.clone(), sid.clone()]), "StructureBody", "200"),
                "delete": write("Xóa công trình / the structure is gone from `effective`; its history stays (editor+); version: the one it was read at, else 409", json!([id.clone(), sid.clone()]), "StructureRemoval", "200") },
            "/api/evaluation": get("Đánh giá, xếp loại hằng năm / the year's evaluation of party members and cells: criteria, suggested band (and the criterion that decided it), decided band and note (sensitive readers; logged)", json!([q("year", "YYYY (default: this year)")])),
            "/api/evaluation/thresholds": { "put": write("Ngưỡng xếp loại / the year's minimums of each band (evaluate: standing, admin); version: the one read, else 409", json!([q("year", "YYYY")]), "EvaluationThresholds", "200") },
            "/api/evaluation/ratings": { "post": write("Quyết định xếp loại / the band decided for a member or cell, with a note (evaluate: standing, admin); version: the subject's rating version read (0: none), else 409; a year not begun is 422", json!([]), "EvaluationRating", "201") }
    });
    let bar = json!({ "type": "object", "additionalProperties": false,
        "required": ["families_first", "contacted", "agreed", "handed_over", "plan_met"],
        "properties": { "families_first": { "type": "number" }, "contacted": { "type": "number" },
            "agreed": { "type": "number" }, "handed_over": { "type": "number" }, "plan_met": { "type": "boolean" } } });
    let evaluation_schemas = json!({
            "EvaluationThresholds": { "type": "object", "additionalProperties": false, "required": ["version", "excellent", "good", "completed"],
                "properties": { "version": { "type": "integer" }, "excellent": bar.clone(), "good": bar.clone(), "completed": bar } },
            "EvaluationRating": { "type": "object", "additionalProperties": false, "required": ["year", "kind", "subject", "band", "version"],
                "properties": { "year": { "type": "integer" }, "kind": { "type": "string", "enum": ["member", "cell"] },
                    "subject": { "type": "string" }, "band": { "type": "string", "enum": ["excellent", "good", "completed", "not_completed"] },
                    "note": { "type": "string" }, "version": { "type": "integer" } } } });
    let schemas = json!({
            "NewAssignment": { "type": "object", "required": ["member", "from"], "additionalProperties": false,
                "properties": { "member": { "type": "string" }, "from": { "type": "string", "format": "date" } } },
            "HouseholdFlags": { "type": "object", "additionalProperties": false,
                "properties": { "is_member_family": { "type": "boolean" }, "may_be_named": { "type": "boolean" } } },
            "NewRecord": { "type": "object", "required": ["number", "signed_on", "signatories", "witness"], "additionalProperties": false,
                "properties": { "number": { "type": "string" }, "signed_on": { "type": "string", "format": "date" },
                    "signatories": { "type": "array", "items": { "type": "string" } }, "witness": { "type": "string" },
                    "attachment": { "type": "integer", "description": "id of an uploaded scan" } } },
            "NewContact": { "type": "object", "required": ["contacted_on", "member", "summary"], "additionalProperties": false,
                "properties": { "contacted_on": { "type": "string", "format": "date" }, "member": { "type": "string" }, "summary": { "type": "string" } } },
            "NewGrievance": { "type": "object", "required": ["raised_on", "raised_by", "content"], "additionalProperties": false,
                "properties": { "raised_on": { "type": "string", "format": "date" }, "raised_by": { "type": "string" }, "content": { "type": "string" } } },
            "Answer": { "type": "object", "required": ["answered_on", "answer"], "additionalProperties": false,
                "properties": { "answered_on": { "type": "string", "format": "date" }, "answer": { "type": "string" } } },
            "Freeze": { "type": "object", "required": ["as_of"], "additionalProperties": false,
                "properties": { "by": { "type": "string" }, "as_of": { "type": "string", "format": "date" }, "from": { "type": "string", "format": "date" },
                    "lag_days": { "type": "integer" }, "min_area": { "type": "number" }, "min_value": { "type": "integer" },
                    "periodic": { "type": "object", "additionalProperties": false, "description": "by=periodic: the office's edits, plain text (at most 12 sections of 40 paragraphs of 4000 characters; headings not empty)",
                        "properties": { "number": { "type": "string" }, "signer_title": { "type": "string" }, "signer_name": { "type": "string" },
                            "recipients": { "type": "array", "items": { "type": "string" } },
                            "sections": { "type": "array", "items": { "type": "object", "required": ["heading", "paragraphs"], "additionalProperties": false,
                                "properties": { "heading": { "type": "string" }, "paragraphs": { "type": "array", "items": { "type": "string" } } } } } } } } }
    });
    if let (Some(paths), Value::Object(more)) = (doc["paths"].as_object_mut(), more) {
        paths.extend(more);
    }
    // the structures' bodies (one more json! above passes the macro's recursion limit)
    let structure_schemas = json!({
            "StructureBody": { "type": "object", "required": ["kind", "quantity", "unit"], "additionalProperties": false,
                "properties": {
                    "kind": { "type": "string", "description": "code (wall, gate, house_front, awning, yard, tree, well, other) or Vietnamese label (Tường rào, Cổng...)" },
                    "quantity": { "type": "number", "exclusiveMinimum": 0 },
                    "unit": { "type": "string", "description": "m, m2 (m²), item (cái)" },
                    "value_vnd": { "type": ["integer", "null"], "minimum": 0 },
                    "donated": { "type": "boolean", "default": false },
                    "effective": { "type": "string", "format": "date", "description": "the day it took effect; default today in the ward; not before the structure's last change" },
                    "note": { "type": "string" },
                    "version": { "type": "integer", "description": "PUT: the structure's version as read (required)" } } },
            "StructureRemoval": { "type": "object", "required": ["version"], "additionalProperties": false,
                "properties": { "version": { "type": "integer" }, "effective": { "type": "string", "format": "date" }, "note": { "type": "string" } } }
    });
    // the organisation's editing (src/api/org.rs)
    let code =
        json!({ "name": "code", "in": "path", "required": true, "schema": { "type": "string" } });
    let org_paths = json!({
            "/api/org/current": get("Tổ chức để sửa / every cell, member, lead with its version and last change, members' assigned households (editor+, logged)", json!([as_of()])),
            "/api/org/history": get("Lịch sử tổ chức / the organisation's history, newest first (editor+, logged)", json!([q("what", "cell | member | lead | assignment"), q("code", "a code, a lead's id, a parcel id"), q("limit", "1..500, default 200")])),
            "/api/org/cells": { "post": write("Thêm chi bộ / add a party cell (EditOrg)", json!([]), "OrgCell", "201") },
            "/api/org/cells/{code}": {
                "put": write("Sửa chi bộ / a cell's name, secretary, groups (EditOrg); version: the one it was read at, else 409", json!([code.clone()]), "OrgCell", "200"),
                "delete": write("Xóa chi bộ / remove a cell without members (EditOrg)", json!([code.clone()]), "OrgRemoval", "200") },
            "/api/org/members": { "post": write("Thêm đảng viên / add a party member (EditOrg)", json!([]), "OrgMember", "201") },
            "/api/org/members/{code}": {
                "put": write("Sửa đảng viên / a member's name, cell, role, household (EditOrg); version, else 409", json!([code.clone()]), "OrgMember", "200"),
                "delete": write("Xóa đảng viên / remove a member no household is assigned to (EditOrg)", json!([code.clone()]), "OrgRemoval", "200") },
            "/api/org/leads": { "post": write("Thêm ủy viên phụ trách / add an area lead (EditOrg)", json!([]), "OrgLead", "201") },
            "/api/org/leads/{id}": {
                "put": write("Sửa ủy viên phụ trách / an area lead (EditOrg); version, else 409", json!([id.clone()]), "OrgLead", "200"),
                "delete": write("Xóa ủy viên phụ trách / remove an area lead (EditOrg)", json!([id.clone()]), "OrgRemoval", "200") },
            "/api/org/assignments": { "post": write("Phân công lại / re-assign households to a member from a date, all or none (EditOrg)", json!([]), "OrgReassign", "201") }
    });
    if let (Some(paths), Value::Object(more)) = (doc["paths"].as_object_mut(), org_paths) {
        paths.extend(more);
    }
    let org_schemas = json!({
            "OrgCell": { "type": "object", "required": ["name"], "additionalProperties": false,
                "properties": { "code": { "type": "string" }, "name": { "type": "string" }, "secretary": { "type": "string" },
                    "groups": { "type": "array", "items": { "type": "string" } }, "version": { "type": "integer" }, "effective": { "type": "string", "format": "date" } } },
            "OrgMember": { "type": "object", "required": ["name", "cell"], "additionalProperties": false,
                "properties": { "code": { "type": "string" }, "name": { "type": "string" }, "cell": { "type": "string" }, "role": { "type": "string" },
                    "household": { "type": ["string", "integer", "null"] }, "version": { "type": "integer" }, "effective": { "type": "string", "format": "date" } } },
            "OrgLead": { "type": "object", "required": ["name"], "additionalProperties": false,
                "properties": { "name": { "type": "string" }, "title": { "type": "string" }, "group": { "type": "string" },
                    "segment": { "type": ["string", "integer"] }, "version": { "type": "integer" }, "effective": { "type": "string", "format": "date" } } },
            "OrgRemoval": { "type": "object", "required": ["version"], "additionalProperties": false,
                "properties": { "version": { "type": "integer" }, "effective": { "type": "string", "format": "date" } } },
            "OrgReassign": { "type": "object", "required": ["member", "parcels"], "additionalProperties": false,
                "properties": { "member": { "type": "string" }, "parcels": { "type": "array", "maxItems": 500, "items": { "type": ["string", "integer"] } },
                    "from": { "type": "string", "format": "date" }, "versions": { "type": "object", "additionalProperties": { "type": "integer" } } } }
    });
    if let (Some(paths), Value::Object(more)) = (
        doc["paths"].as_object_mut(),
        super::inspections::openapi_paths(),
    ) {
        paths.extend(more);
    }
    let inspection_schemas = super::inspections::openapi_schemas();
    for extra in [
        schemas,
        structure_schemas,
        org_schemas,
        evaluation_schemas,
        inspection_schemas,
    ] {
        if let (Some(all), Value::Object(extra)) =
            (doc["components"]["schemas"].as_object_mut(), extra)
        {
            all.extend(extra);
        }
    }
    plans_doc(&mut doc);
    doc
}

/// Plans and targets (`api/plans.rs`): their paths and body.
fn plans_doc(doc: &mut Value) {
    let id =
        json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } });
    let paths = json!({
        "/api/plans": {
            "get": get("Kế hoạch, chỉ tiêu, mốc / every plan with plan versus actual on as_of (default today), each milestone's state (met, missed with days_overdue, pending), the recent rate and the projected completion; the areas a plan may be set for (logged-in; the read is logged)", json!([as_of()]))["get"].clone(),
            "post": write("Thêm kế hoạch / set a plan for a group, segment or cell (Plan role)", json!([]), "PlanBody", "201") },
        "/api/plans/{id}": {
            "put": write("Sửa kế hoạch / replace a plan; version: the one it was read at, else 409 (Plan role)", json!([id.clone()]), "PlanBody", "200") },
        "/api/plans/{id}/cancel": {
            "post": write("Hủy kế hoạch / cancel a plan, kept with its history; version: the one it was read at, else 409 (Plan role)", json!([id]), "PlanCancel", "200") }
    });
    let schemas = json!({
        "PlanBody": { "type": "object", "required": ["area_kind", "area_code", "title", "milestones"], "additionalProperties": false,
            "properties": {
                "area_kind": { "type": "string", "enum": ["group", "segment", "cell"] },
                "area_code": { "type": "string", "description": "a group's name, a segment's id, a cell's code" },
                "title": { "type": "string", "maxLength": 200 },
                "note": { "type": "string", "maxLength": 2000 },
                "milestones": { "type": "array", "minItems": 1, "maxItems": 24, "items": { "type": "object", "required": ["due"], "additionalProperties": false,
                    "properties": { "due": { "type": "string", "format": "date" },
                        "households": { "type": "integer", "minimum": 0, "description": "households that reached agreement; at most the area's affected" },
                        "area_m2": { "type": "number", "minimum": 0, "description": "area handed over; at most the area's area to donate" } } } },
                "version": { "type": "integer", "description": "PUT: the plan's version as read (required)" } } },
        "PlanCancel": { "type": "object", "required": ["version"], "additionalProperties": false,
            "properties": { "version": { "type": "integer" } } }
    });
    if let (Some(all), Value::Object(more)) = (doc["paths"].as_object_mut(), paths) {
        all.extend(more);
    }
    if let (Some(all), Value::Object(more)) =
        (doc["components"]["schemas"].as_object_mut(), schemas)
    {
        all.extend(more);
    }
}

#[cfg(test)]
mod tests {
    use super::document;
    use std::collections::BTreeSet;

    /// Every `(path, method)` the resource routers in `src/api/` declare
    /// with `.route("path", get(..).post(..))`.
    fn routed() -> BTreeSet<(String, String)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api");
        let mut out = BTreeSet::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let src = std::fs::read_to_string(&path).unwrap();
            for line in src.lines() {
                let Some((_, rest)) = line.split_once(".route(\"") else {
                    continue;
                };
                let Some((route, methods)) = rest.split_once('"') else {
                    continue;
                };
                if line.trim_start().starts_with("//") || !route.starts_with('/') {
                    continue; // a comment, a pattern
                }
                if route.contains('*') {
                    continue; // the API's not-found
                }
                for m in ["get", "post", "put", "patch", "delete"] {
                    let called = methods.match_indices(&format!("{m}(")).any(|(i, _)| {
                        methods[..i]
                            .chars()
                            .next_back()
                            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
                    });
                    if called {
                        out.insert((route.to_string(), m.to_string()));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_route_and_method_is_described_and_nothing_else() {
        let routed = routed();
        assert!(routed.len() >= 35, "{routed:?}");
        assert!(routed.contains(&("/api/users/{name}".into(), "delete".into())));
        let doc = document();
        let described: BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(p, ms)| {
                ms.as_object()
                    .unwrap()
                    .keys()
                    .map(move |m| (p.clone(), m.clone()))
            })
            .collect();
        let missing: Vec<_> = routed.difference(&described).collect();
        assert!(missing.is_empty(), "routes not described: {missing:?}");
        let stale: Vec<_> = described.difference(&routed).collect();
        assert!(stale.is_empty(), "described, not routed: {stale:?}");
    }
}
