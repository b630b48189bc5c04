//! Parsing what a request carries (query parameters and body fields):
//! dates, `as_of`, bboxes, statuses, flags, feature ids. Every handler
//! module parses through here, so a bad date reads the same on every route.

use super::ApiError;
use crate::campaign::FeatureId;
use crate::campaign::events::{Audience, PublicStatus, Status, UnknownStatus};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

/// `as_of=YYYY-MM-DD` (end of that day); absent: everything recorded.
#[derive(Debug, Default, Deserialize)]
pub(super) struct AsOf {
    as_of: Option<String>,
}

impl AsOf {
    /// The date asked for; [`NaiveDate::MAX`] when none was.
    pub(super) fn date(&self) -> Result<NaiveDate, ApiError> {
        as_of(self.as_of.as_deref())
    }
}

/// An `as_of` value: the date, or [`NaiveDate::MAX`] (everything recorded)
/// when absent. Like every date, between 2000-01-01 and today
/// ([`past_date`]).
pub(super) fn as_of(s: Option<&str>) -> Result<NaiveDate, ApiError> {
    s.map_or(Ok(NaiveDate::MAX), |s| past_date("as_of", s))
}

/// A `YYYY-MM-DD` date given as `field`; 422 `bad_date` otherwise.
pub(super) fn parse_date(field: &str, s: &str) -> Result<NaiveDate, ApiError> {
    s.parse().map_err(|_| {
        ApiError::Unprocessable(
            "bad_date",
            format!("{field}: ngày không hợp lệ {s:?}, cần YYYY-MM-DD / bad date {s:?}, expected YYYY-MM-DD"),
        )
    })
}

/// 422 when `d` (the request's `field`) is not between 2000-01-01 and
/// today in Vietnam ([`crate::campaign::clock::in_era`]): `future_date`
/// after today, `date_out_of_range` before 2000.
pub(super) fn not_future(field: &str, d: NaiveDate) -> Result<NaiveDate, ApiError> {
    crate::campaign::clock::in_era(field, d).map_err(|e| {
        let code = if e.date > e.today {
            "future_date"
        } else {
            "date_out_of_range"
        };
        // Dates as people write them, in both languages.
        let dmy = crate::campaign::events::dmy;
        let (start, today, date) = (
            dmy(crate::campaign::clock::era_start()),
            dmy(e.today),
            dmy(e.date),
        );
        ApiError::Unprocessable(
            code,
            format!(
                "ngày {field} phải từ {start} đến hôm nay ({today}), không phải {date} / {field} must be between {start} and today ({today}), got {date}"
            ),
        )
    })
}

/// A `YYYY-MM-DD` date given as `field`, between 2000-01-01 and today: how
/// every date of a request or body is read.
pub(super) fn past_date(field: &str, s: &str) -> Result<NaiveDate, ApiError> {
    not_future(field, parse_date(field, s)?)
}

/// `bbox=minlon,minlat,maxlon,maxlat`, finite and not inverted.
pub(super) fn parse_bbox(s: &str) -> Result<[f64; 4], ApiError> {
    let bad = || {
        ApiError::Unprocessable(
            "bad_bbox",
            format!(
                "bbox không hợp lệ {s:?}, cần minlon,minlat,maxlon,maxlat / bad bbox {s:?}, expected minlon,minlat,maxlon,maxlat"
            ),
        )
    };
    let v: Vec<f64> = s
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    match v[..] {
        [a, b, c, d] if v.iter().all(|x| x.is_finite()) && a <= c && b <= d => Ok([a, b, c, d]),
        _ => Err(bad()),
    }
}

/// A status code (`signed`, ...); 422 `unknown_status` otherwise.
pub(super) fn parse_status(s: &str) -> Result<Status, ApiError> {
    s.parse()
        .map_err(|e: UnknownStatus| ApiError::Unprocessable("unknown_status", e.to_string()))
}

/// Which parcels a `status=` filter keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StatusFilter {
    /// `not_yet` (not contacted, persuading or declined), or a public step.
    Public(PublicStatus),
    /// One step exactly (logged-in callers).
    Exact(Status),
}

impl StatusFilter {
    pub(super) fn keeps(self, s: Status) -> bool {
        match self {
            StatusFilter::Public(p) => s.public() == p,
            StatusFilter::Exact(x) => s == x,
        }
    }

    /// [`StatusFilter::keeps`] for a household read by `audience`: for the
    /// public, a step it reads as "not yet" keeps nothing (it would point
    /// at the households that declined or are being persuaded).
    pub(super) fn keeps_for(self, s: Status, audience: Audience) -> bool {
        match (self, audience) {
            (StatusFilter::Exact(x), Audience::Public) if audience.code(x) != x.as_str() => false,
            _ => self.keeps(s),
        }
    }
}

/// A `status=` filter for `audience`: anyone may ask for `not_yet` and the
/// public steps; only logged-in callers for the steps the public reads as
/// "not yet" (401 otherwise: filtering by them would point at the
/// households that declined).
pub(super) fn parse_status_filter(s: &str, audience: Audience) -> Result<StatusFilter, ApiError> {
    if let Some(p) = PublicStatus::parse(s) {
        return Ok(StatusFilter::Public(p));
    }
    let exact = parse_status(s).map_err(|e| match (audience, e) {
        (Audience::Public, ApiError::Unprocessable(code, _)) => ApiError::Unprocessable(
            code,
            format!(
                "status: không có trạng thái {s:?} / unknown status {s:?} (not_yet, agreed, signed, handed_over)"
            ),
        ),
        (_, e) => e,
    })?;
    match audience {
        Audience::Staff => Ok(StatusFilter::Exact(exact)),
        Audience::Public => Err(ApiError::Unauthorized),
    }
}

/// A yes/no query flag (`personal=1`, `internal=true`): only `1` and
/// `true` say yes.
pub(super) fn flag(s: Option<&str>) -> bool {
    matches!(s, Some("1" | "true"))
}

/// Free text from a body, trimmed; blank counts as absent.
pub(super) fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A feature id as the files gave it: a number stays a number.
pub(super) fn id_json(id: &FeatureId) -> Value {
    match id {
        FeatureId::Number(s) => {
            serde_json::from_str::<serde_json::Number>(s).map_or_else(|_| json!(s), Value::Number)
        }
        FeatureId::Text(s) => json!(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absent_as_of_means_everything_recorded() {
        assert_eq!(as_of(None).unwrap(), NaiveDate::MAX);
        assert_eq!(
            as_of(Some("2025-03-01")).unwrap(),
            NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()
        );
    }

    #[test]
    fn a_bad_date_names_its_field() {
        let e = parse_date("occurred_on", "1/3/2025").unwrap_err();
        assert!(
            matches!(e, ApiError::Unprocessable("bad_date", ref m) if m.starts_with("occurred_on:"))
        );
    }

    #[test]
    fn a_date_after_today_is_refused() {
        let tomorrow = crate::campaign::clock::today().succ_opt().unwrap();
        assert!(matches!(
            not_future("from", tomorrow),
            Err(ApiError::Unprocessable("future_date", _))
        ));
        assert!(past_date("from", "2020-01-01").is_ok());
    }

    #[test]
    fn dates_before_2000_or_far_ahead_are_refused_naming_the_field() {
        for (s, code) in [
            ("-0001-01-01", "date_out_of_range"),
            ("1999-12-31", "date_out_of_range"),
            ("9999-12-31", "future_date"),
        ] {
            match past_date("occurred_on", s) {
                Err(ApiError::Unprocessable(c, m)) => {
                    assert_eq!(c, code, "{s}");
                    assert!(m.starts_with("ngày occurred_on phải từ 01/01/2000"), "{m}");
                }
                other => panic!("{s}: {other:?}"),
            }
            assert!(as_of(Some(s)).is_err(), "{s}");
        }
    }

    #[test]
    fn a_bbox_has_four_finite_numbers_in_order() {
        assert_eq!(
            parse_bbox("106.1, 10.7,106.2,10.8").unwrap(),
            [106.1, 10.7, 106.2, 10.8]
        );
        for bad in ["1,2,3", "1,2,3,x", "3,2,1,4", "1,2,NaN,4", ""] {
            assert!(parse_bbox(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn only_one_and_true_raise_a_flag() {
        assert!(flag(Some("1")) && flag(Some("true")));
        assert!(!flag(Some("0")) && !flag(Some("yes")) && !flag(None));
    }

    #[test]
    fn blank_text_counts_as_absent() {
        assert_eq!(non_empty(Some("  ".into())), None);
        assert_eq!(
            non_empty(Some(" ghi chú ".into())).as_deref(),
            Some("ghi chú")
        );
    }

    #[test]
    fn a_numeric_id_stays_a_number() {
        assert_eq!(id_json(&FeatureId::Number("12".into())), json!(12));
        assert_eq!(id_json(&FeatureId::Text("A-3".into())), json!("A-3"));
    }
}
