//! The ward's clock: one notion of "now" and of "today" for the server, the
//! page (through `/api/config`), reports, records and exports.
//!
//! A ward lives on Việt Nam's time (Asia/Ho_Chi_Minh, UTC+7, no daylight
//! saving): between 17:00 and 24:00 UTC it is already tomorrow there, and an
//! event of this morning in the ward is not in the future. Tests pin the
//! clock to an instant with [`set_now`] (the CLI's `--now` / `HIENDAT_NOW`);
//! it then runs on from that instant, so entry times still move forward.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

/// The ward's time zone, as IANA names it.
pub const TIME_ZONE: &str = "Asia/Ho_Chi_Minh";

/// Its offset from UTC, in minutes (Việt Nam keeps no daylight saving).
pub const UTC_OFFSET_MINUTES: i64 = 7 * 60;

/// Milliseconds added to the system clock ([`set_now`]).
static SKEW_MS: AtomicI64 = AtomicI64::new(0);

/// Sets the clock so that it reads `at` now, and runs on from there.
pub fn set_now(at: DateTime<Utc>) {
    let skew = (at - Utc::now()).num_milliseconds();
    SKEW_MS.store(skew, Ordering::Relaxed);
}

/// Parses an instant for [`set_now`]: RFC 3339 (`2026-12-04T17:30:00Z`,
/// `2026-12-05T00:30:00+07:00`).
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The current instant.
pub fn now() -> DateTime<Utc> {
    Utc::now() + Duration::milliseconds(SKEW_MS.load(Ordering::Relaxed))
}

/// The ward's date at the instant `at`.
pub fn date_at(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::minutes(UTC_OFFSET_MINUTES)).date_naive()
}

/// Today in the ward.
pub fn today() -> NaiveDate {
    date_at(now())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        parse_instant(s).unwrap()
    }

    #[test]
    fn the_ward_turns_the_day_at_17_utc() {
        let d = |s| date_at(at(s)).to_string();
        assert_eq!(d("2026-12-04T16:59:59Z"), "2026-12-04");
        assert_eq!(d("2026-12-04T17:00:00Z"), "2026-12-05");
        assert_eq!(d("2026-12-04T12:30:00-05:00"), "2026-12-05");
        assert_eq!(d("2026-12-05T00:30:00+07:00"), "2026-12-05");
    }

    #[test]
    fn instants_are_rfc3339_only() {
        assert_eq!(at("2026-12-05T00:30:00+07:00"), at("2026-12-04T17:30:00Z"));
        assert!(parse_instant("04/12/2026").is_none());
        assert!(parse_instant("2026-12-04").is_none());
    }
}
