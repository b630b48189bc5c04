//! `GET /api/openapi.json`: the API described by hand (OpenAPI 3.1); keep
//! it in step with the resource routers that [`super::router`] merges.

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

async fn openapi() -> Json<Value> {
    let q = |name: &str, d: &str| json!({ "name": name, "in": "query", "required": false, "description": d, "schema": { "type": "string" } });
    let id =
        json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } });
    Json(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "hiendat",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Hiến đất mở đường / road-widening land donation campaign. Anonymous callers see geometry, measures and progress; logged-in users (cookie from POST /api/login) also see names."
        },
        "paths": {
            "/healthz": get("Liveness", json!([])),
            "/api/segments": get("Đoạn tuyến / segments as GeoJSON with donated area and progress", json!([as_of()])),
            "/api/parcels": get("Thửa đất / parcels as GeoJSON with measures and status", json!([
                q("bbox", "minlon,minlat,maxlon,maxlat"), q("segment", "segment id"),
                q("group", "residential group name"), q("status", "not_contacted | persuading | declined | agreed | signed | handed_over"),
                q("fields", "only these properties, comma separated (id, map_sheet, parcel_no, land_use, legal_area_m2, residential_group, owner, status, status_label, donated_area_m2, donations)"), as_of()])),
            "/api/parcels/{id}": get("Một thửa đất, công trình trên đất và lịch sử / one parcel with its structures on the land ({kind, label, quantity, unit, unit_label, value_vnd, donated}) and its history", json!([id, as_of()])),
            "/api/parcels/{id}/events": { "post": {
                "summary": "Ghi nhận trạng thái / record a status change (editor, admin)",
                "parameters": [id],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewEvent" } } } },
                "responses": { "201": { "description": "Recorded" }, "401": errors(), "403": errors(), "404": errors(), "409": errors(), "422": errors() } } },
            "/api/summary/segments": get("Tổng hợp theo đoạn tuyến / per segment: progress, and the structures on its affected parcels (structures, structures_donated, structures_donated_value_vnd, structures_by_kind)", json!([as_of()])),
            "/api/summary/groups": get("Tổng hợp theo tổ dân phố / per residential group: progress, and the structures on its affected parcels, each parcel once (structures, structures_donated, structures_donated_value_vnd, structures_by_kind)", json!([as_of()])),
            "/api/progress": get("Tiến độ theo ngày / progress on each date with a change", json!([as_of()])),
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
                        { "name": "crs", "in": "query", "description": "EPSG:5897 and the other VN-2000 zones, or EPSG:4326; default: the measuring CRS (WGS84 for kml, geojson)", "schema": { "type": "string" } },
                        { "name": "interval", "in": "query", "description": "metres between staking points", "schema": { "type": "number", "default": 10 } },
                        { "name": "personal", "in": "query", "description": "1: owners' names (logged-in users only)", "schema": { "type": "string", "enum": ["0", "1"] } }
                    ],
                    "responses": { "200": { "description": "The file, as an attachment" }, "400": errors(), "401": errors(), "404": errors(), "422": errors() } } },
            "/api/config": get("Cấu hình trang bản đồ / the map page's set-up: demo, base map, bounds, data version", json!([])),
            "/api/version": get("Phiên bản dữ liệu / a token that changes with every event and import", json!([])),
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
    }))
}
