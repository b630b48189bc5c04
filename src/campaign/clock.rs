//! The ward's clock: one notion of "now" and of "today" for the server, the
//! page (through `/api/config`), reports, records and exports.
//!
//! A ward lives on Việt Nam's time (Asia/Ho_Chi_Minh, UTC+7, no daylight
//! saving): between 17:00 and 24:00 UTC it is already tomorrow there, and an
//! event of this morning in the ward is not in the future. Tests pin the
//! clock to an instant with [`set_now`] (the CLI's `--now` / `HIENDAT_NOW`);
//! it then runs on from that instant, so entry times still move forward.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::sync::Once;
use std::sync::atomic::{AtomicI64, Ordering};

/// The ward's time zone, as IANA names it.
pub const TIME_ZONE: &str = "Asia/Ho_Chi_Minh";

/// Its offset from UTC, in minutes (Việt Nam keeps no daylight saving).
pub const UTC_OFFSET_MINUTES: i64 = 7 * 60;

/// Milliseconds added to the system clock ([`set_now`]).
static SKEW_MS: AtomicI64 = AtomicI64::new(0);

/// `HIENDAT_NOW` is read once, at the clock's first use, unless [`set_now`]
/// came first: a test process (`./test` sets it) and the servers and
/// commands it starts then share one day, whatever the machine's date.
static FROM_ENV: Once = Once::new();

/// Sets the clock so that it reads `at` now, and runs on from there.
pub fn set_now(at: DateTime<Utc>) {
    FROM_ENV.call_once(|| {});
    store_skew(at);
}

fn store_skew(at: DateTime<Utc>) {
    let skew = (at - Utc::now()).num_milliseconds();
    SKEW_MS.store(skew, Ordering::Relaxed);
}

fn skew_ms() -> i64 {
    FROM_ENV.call_once(|| {
        if let Some(at) = std::env::var("HIENDAT_NOW")
            .ok()
            .and_then(|v| parse_instant(&v))
        {
            store_skew(at);
        }
    });
    SKEW_MS.load(Ordering::Relaxed)
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
    Utc::now() + Duration::milliseconds(skew_ms())
}

/// The ward's date at the instant `at`.
pub fn date_at(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::minutes(UTC_OFFSET_MINUTES)).date_naive()
}

/// Today in the ward.
pub fn today() -> NaiveDate {
    date_at(now())
}

/// The first date the product takes: a road-widening campaign's events,
/// records, contacts and reports are of this century.
pub fn era_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("a real date")
}

/// A date outside the product's era ([`in_era`]), named by its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "ngày {field} phải từ {} đến hôm nay ({}), không phải {date} / {field} must be between {} and today ({}), got {date}",
    era_start().format("%d/%m/%Y"), today.format("%d/%m/%Y"), era_start(), today
)]
pub struct OutOfEra {
    pub field: String,
    pub date: NaiveDate,
    /// The ward's today when it was checked.
    pub today: NaiveDate,
}

/// `date` (given as `field`) when it lies between 2000-01-01 and the ward's
/// today, both included: the one check every date entering the product
/// passes (events, records, contacts, grievances, assignments, `as_of`,
/// `from`), so "-0001-01-01" or "9999-12-31" never reach the store or a
/// chart.
pub fn in_era(field: &str, date: NaiveDate) -> Result<NaiveDate, OutOfEra> {
    let today = today();
    if date < era_start() || date > today {
        return Err(OutOfEra {
            field: field.to_string(),
            date,
            today,
        });
    }
    Ok(date)
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

    #[test]
    fn dates_are_taken_from_2000_to_today_only() {
        let t = today();
        assert_eq!(in_era("from", t), Ok(t));
        assert_eq!(in_era("from", era_start()), Ok(era_start()));
        for bad in [
            NaiveDate::from_ymd_opt(-1, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(1999, 12, 31).unwrap(),
            t.succ_opt().unwrap(),
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
        ] {
            let e = in_era("occurred_on", bad).unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.starts_with(&format!(
                    "ngày occurred_on phải từ 01/01/2000 đến hôm nay ({}), ",
                    t.format("%d/%m/%Y")
                )),
                "{msg}"
            );
            assert!(msg.contains(" / occurred_on must be between 2000-01-01 and today"));
        }
    }
}
