//! Issue 14, item 5: refusals of the events, records and contacts API that
//! users can act on: parcels named by map sheet and parcel number, dates as
//! dd/mm/yyyy, a back-dated transition explained by the state on that date,
//! a record number already taken answered with the next free one. Item 4
//! (server side): an export's file name says the CRS it is written in.

mod common;

use common::{Demo, Server};
use hiendat::store::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::OnceLock;

const EDITOR: (&str, &str) = ("lan", "mật khẩu của Lan");

fn demo_template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        Demo {
            prefix: "i14m-",
            seed: 3,
            parcels: 800,
            users: &[(EDITOR.0, Role::Editor, EDITOR.1)],
            scoped: None,
        }
        .build()
    })
}
impl Server {
    async fn post(&self, c: &reqwest::Client, path: &str, body: Value) -> (StatusCode, Value) {
        let r = c.post(self.url(path)).json(&body).send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap())
    }

    /// A parcel whose current status is `status`: its id, map sheet,
    /// parcel number and its history.
    async fn parcel_with(
        &self,
        c: &reqwest::Client,
        status: &str,
    ) -> (String, String, String, Value) {
        let list = self.get(c, &format!("/api/parcels?status={status}")).await;
        let f = &list["features"].as_array().unwrap()[0];
        let id = match &f["properties"]["id"] {
            Value::String(t) => t.clone(),
            other => other.to_string(),
        };
        let p = self.get(c, &format!("/api/parcels/{id}")).await;
        let pr = &p["properties"];
        let text = |v: &Value| match v {
            Value::String(t) => t.clone(),
            other => other.to_string(),
        };
        (
            id,
            text(&pr["map_sheet"]),
            text(&pr["parcel_no"]),
            pr["history"].clone(),
        )
    }
}

fn message(v: &Value) -> &str {
    v["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no message in {v}"))
}

fn date_of(history: &Value, status: &str) -> chrono::NaiveDate {
    history
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["status"] == status)
        .unwrap_or_else(|| panic!("no {status} in {history}"))["occurred_on"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn dmy(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A refused back-dated event names the state the parcel was in on that
/// date (not today's, not "Chưa tiếp cận"), the parcel by sheet and number,
/// and the date as dd/mm/yyyy.
#[tokio::test]
async fn a_back_dated_refusal_names_the_state_on_that_date_and_the_parcel_by_sheet_and_number() {
    let s = Server::start(demo_template(), "i14m-").await;
    let c = s.login(EDITOR).await;
    let (id, sheet, no, history) = s.parcel_with(&c, "agreed").await;
    let agreed = date_of(&history, "agreed");
    let persuading = date_of(&history, "persuading");
    assert!(persuading < agreed);
    let name = format!("tờ {sheet}, thửa {no}");
    // The day after the agreement: it stood at "Đã đồng ý".
    let on = agreed + chrono::Days::new(1);
    let (code, body) = s
        .post(
            &c,
            &format!("/api/parcels/{id}/events"),
            json!({ "status": "handed_over", "occurred_on": on.to_string() }),
        )
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "invalid_transition");
    let m = message(&body);
    assert!(
        m.starts_with(&format!(
            "ngày {}, {name} đang ở trạng thái \"Đã đồng ý\"",
            dmy(on)
        )),
        "{m}"
    );
    assert!(m.contains("chỉ chuyển được sang \"Đã ký biên bản\""), "{m}");
    assert!(
        m.contains(&format!(
            " / on {}, sheet {sheet}, parcel {no} was agreed",
            dmy(on)
        )),
        "{m}"
    );
    assert!(
        !m.contains("Chưa tiếp cận") && !m.contains(&on.to_string()),
        "{m}"
    );
    // A signing dated before the agreement: it was still being persuaded
    // that day, and the message says when it agreed.
    let before = agreed - chrono::Days::new(1);
    assert!(before >= persuading);
    let (code, body) = s
        .post(&c, &format!("/api/parcels/{id}/events"),
            json!({ "status": "signed", "occurred_on": before.to_string(),
                "record": { "number": "900/2026", "signed_on": before.to_string(), "signatories": ["Chủ hộ"], "witness": "MTTQ" } }))
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    let m = message(&body);
    assert!(
        m.starts_with(&format!(
            "ngày {}, {name} đang ở trạng thái \"Đang vận động\" (đến ngày {} mới là \"Đã đồng ý\")",
            dmy(before),
            dmy(agreed)
        )),
        "{m}"
    );
    assert!(!m.contains(&format!("thửa đất {id}")), "{m}");
    // The same signing on the day after the agreement is taken.
    let (code, body) = s
        .post(&c, &format!("/api/parcels/{id}/events"),
            json!({ "status": "signed", "occurred_on": on.to_string(),
                "record": { "number": "900/2026", "signed_on": on.to_string(), "signatories": ["Chủ hộ"], "witness": "MTTQ" } }))
        .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    // An event that a later one cannot follow: explained by that later date.
    let (code, body) = s
        .post(
            &c,
            &format!("/api/parcels/{id}/events"),
            json!({ "status": "declined", "occurred_on": agreed.to_string() }),
        )
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    let m = message(&body);
    assert!(
        m.starts_with(&format!("{name}: ghi \"Chưa đồng ý\" ngày {} thì sự kiện \"Đã ký biên bản\" ngày {} đã ghi không còn hợp lệ", dmy(agreed), dmy(on))),
        "{m}"
    );
}

/// Signing with no record on file: the parcel by sheet and number, the
/// date as dd/mm/yyyy.
#[tokio::test]
async fn a_signing_without_a_record_names_the_parcel_by_sheet_and_number_and_the_date_dmy() {
    let s = Server::start(demo_template(), "i14m-").await;
    let c = s.login(EDITOR).await;
    let (id, sheet, no, history) = s.parcel_with(&c, "agreed").await;
    let on = date_of(&history, "agreed") + chrono::Days::new(1);
    let (code, body) = s
        .post(
            &c,
            &format!("/api/parcels/{id}/events"),
            json!({ "status": "signed", "occurred_on": on.to_string() }),
        )
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "no_record");
    let m = message(&body);
    assert!(
        m.starts_with(&format!(
            "tờ {sheet}, thửa {no} chưa có biên bản hiến đất ký đến ngày {}",
            dmy(on)
        )),
        "{m}"
    );
    assert!(
        m.contains(&format!(
            " / sheet {sheet}, parcel {no} has no donation record signed by {}",
            dmy(on)
        )),
        "{m}"
    );
    assert!(
        !m.contains("thửa đất") && !m.contains(&on.to_string()),
        "{m}"
    );
}

/// A record number already used is refused with the parcel that holds it
/// and the next number of the same form that is still free.
#[tokio::test]
async fn a_record_number_already_taken_proposes_the_next_free_one() {
    let s = Server::start(demo_template(), "i14m-").await;
    let c = s.login(EDITOR).await;
    let (a, sheet, no, _) = s.parcel_with(&c, "agreed").await;
    let (b, _, _, _) = s.parcel_with(&c, "persuading").await;
    let record = |n: &str| json!({ "number": n, "signed_on": "2026-11-20", "signatories": ["Chủ hộ"], "witness": "MTTQ" });
    for n in ["12/2026", "13/2026"] {
        let (code, body) = s
            .post(&c, &format!("/api/parcels/{a}/records"), record(n))
            .await;
        assert_eq!(code, StatusCode::CREATED, "{body}");
    }
    let (code, body) = s
        .post(&c, &format!("/api/parcels/{b}/records"), record("12/2026"))
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    let m = message(&body);
    assert!(
        m.starts_with(&format!(
            "số biên bản 12/2026 đã dùng cho tờ {sheet}, thửa {no}; số còn trống tiếp theo: 14/2026"
        )),
        "{m}"
    );
    assert!(
        m.contains("/ record number 12/2026 is already used for"),
        "{m}"
    );
    assert!(m.contains("next free number: 14/2026"), "{m}");
    // The demo's own form, "n/BB-HĐ", is followed the same way; inside a
    // signing too.
    let (code, body) = s
        .post(&c, &format!("/api/parcels/{b}/records"), record("14/2026"))
        .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    let (code, body) = s
        .post(&c, &format!("/api/parcels/{a}/records"), record("12/2026"))
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    assert!(
        message(&body).contains("số còn trống tiếp theo: 15/2026"),
        "{body}"
    );
    let (code, body) = s
        .post(
            &c,
            &format!("/api/parcels/{b}/events"),
            json!({ "status": "agreed", "occurred_on": "2026-11-25" }),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    let (code, body) = s
        .post(
            &c,
            &format!("/api/parcels/{b}/events"),
            json!({ "status": "signed", "occurred_on": "2026-11-26", "record": record("13/2026") }),
        )
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    assert!(
        message(&body).contains("số còn trống tiếp theo: 15/2026"),
        "{body}"
    );
    // A number without a running number: refused, nothing proposed.
    let (code, body) = s
        .post(&c, &format!("/api/parcels/{b}/records"), record("BB-A"))
        .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    let (code, body) = s
        .post(&c, &format!("/api/parcels/{a}/records"), record("BB-A"))
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    assert!(!message(&body).contains("tiếp theo"), "{body}");
}

/// The downloaded file's name carries the CRS it is written in.
#[tokio::test]
async fn an_export_file_name_carries_its_crs() {
    let s = Server::start(demo_template(), "i14m-").await;
    let c = reqwest::Client::new();
    for (query, end) in [
        (
            "format=shp&layers=parcels",
            "hiendat-phuong-parcels-vn2000.zip",
        ),
        (
            "format=shp&layers=parcels&crs=EPSG:4326",
            "hiendat-phuong-parcels-wgs84.zip",
        ),
        (
            "format=kml&layers=parcels",
            "hiendat-phuong-parcels-wgs84.kml",
        ),
        (
            "format=geojson&layers=strips",
            "hiendat-phuong-strips-wgs84.geojson",
        ),
        (
            "format=csv&layers=parcels",
            "hiendat-phuong-parcels-vn2000.csv",
        ),
        (
            "format=gpkg&layers=parcels&crs=EPSG:5897",
            "hiendat-phuong-parcels-vn2000-epsg5897.gpkg",
        ),
    ] {
        let r = c
            .get(s.url(&format!("/api/export?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{query}");
        let d = r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(d, format!("attachment; filename=\"{end}\""), "{query}");
    }
}

/// Dates refused on the contacts and records routes read dd/mm/yyyy in
/// both languages.
#[tokio::test]
async fn refused_dates_of_contacts_and_records_read_dd_mm_yyyy() {
    let s = Server::start(demo_template(), "i14m-").await;
    let c = s.login(EDITOR).await;
    let (id, _, _, _) = s.parcel_with(&c, "persuading").await;
    let (code, body) = s
        .post(&c, &format!("/api/parcels/{id}/contacts"),
            json!({ "contacted_on": "2999-01-31", "member": "Trần Thị Mai", "summary": "Gặp chủ hộ" }))
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let m = message(&body);
    assert!(m.contains("không phải 31/01/2999 / "), "{m}");
    assert!(m.ends_with("got 31/01/2999"), "{m}");
    assert!(
        !m.contains("2999-01-31") && !m.contains("2000-01-01"),
        "{m}"
    );
    let (code, body) = s
        .post(&c, &format!("/api/parcels/{id}/records"),
            json!({ "number": "1/2026", "signed_on": "1999-12-31", "signatories": ["A"], "witness": "B" }))
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let m = message(&body);
    assert!(
        m.starts_with("ngày record.signed_on phải từ 01/01/2000 đến hôm nay ("),
        "{m}"
    );
    assert!(m.contains("không phải 31/12/1999"), "{m}");
}

/// A record pointing at another parcel's scan names the parcel it is for.
#[tokio::test]
async fn a_record_with_another_parcels_attachment_names_the_parcel_by_sheet_and_number() {
    let s = Server::start(demo_template(), "i14m-").await;
    let c = s.login(EDITOR).await;
    let (a, sheet, no, _) = s.parcel_with(&c, "agreed").await;
    let (b, _, _, _) = s.parcel_with(&c, "persuading").await;
    let png: Vec<u8> = [b"\x89PNG\r\n\x1a\n".as_slice(), &[7u8; 300]].concat();
    let r = c
        .post(s.url(&format!("/api/parcels/{b}/attachments?name=scan.png")))
        .body(png)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let att: Value = r.json().await.unwrap();
    let (code, body) = s
        .post(&c, &format!("/api/parcels/{a}/records"),
            json!({ "number": "77/2026", "signed_on": "2026-11-20", "signatories": ["A"], "witness": "B", "attachment": att["id"] }))
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let m = message(&body);
    assert!(
        m.starts_with(&format!(
            "tệp đính kèm {} không thuộc tờ {sheet}, thửa {no} (attachment)",
            att["id"]
        )),
        "{m}"
    );
    assert!(
        m.contains(&format!("is not one of sheet {sheet}, parcel {no}")),
        "{m}"
    );
}
