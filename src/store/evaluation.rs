//! The annual evaluation as decided: each year's thresholds and each
//! subject's ratings, append-only (`evaluation_thresholds`,
//! `evaluation_ratings`; a change is a new row, the latest stands). A write
//! names the version it was made from; a newer one stored is
//! [`StoreError::Conflict`], and nothing is written.

use super::{Result, Store, StoreError};
use crate::campaign::evaluation::{Band, Decided, Rating, SubjectKind, Thresholds};
use rusqlite::OptionalExtension;

/// A year's thresholds as set: the values, their version (the count of the
/// year's sets), who set them and when.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdsSet {
    pub thresholds: Thresholds,
    pub version: usize,
    pub set_by: String,
    pub set_at: String,
}

/// A rating to record.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingInput {
    pub year: i32,
    pub kind: SubjectKind,
    pub subject: String,
    pub band: Band,
    pub note: Option<String>,
    /// The subject's rating version the decision was made from (0: none yet).
    pub expected: usize,
    pub by: String,
    /// RFC 3339, UTC.
    pub at: String,
}

fn stale(what: &str, expected: usize, found: usize) -> StoreError {
    StoreError::Conflict(format!(
        "version: {what} đã được sửa (phiên bản {found}, màn hình đang ở phiên bản {expected}): hãy tải lại / {what} changed meanwhile (version {found}, the screen had {expected}): reload"
    ))
}

impl Store {
    /// The current ward's thresholds for the year as last set (none: never
    /// set, the defaults stand). Each ward sets its own.
    pub fn evaluation_thresholds(&self, year: i32) -> Result<Option<ThresholdsSet>> {
        let row: Option<(String, i64, String, String)> = self
            .conn
            .query_row(
                "SELECT thresholds, version, set_by, set_at FROM evaluation_thresholds
                 WHERE ward = ?2 AND year = ?1 ORDER BY version DESC LIMIT 1",
                (year, self.ward_key()),
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        row.map(|(json, version, set_by, set_at)| {
            Ok(ThresholdsSet {
                thresholds: serde_json::from_str(&json).map_err(|e| {
                    StoreError::Corrupt(format!("evaluation thresholds {year}: {e}"))
                })?,
                version: usize::try_from(version).unwrap_or(0),
                set_by,
                set_at,
            })
        })
        .transpose()
    }

    /// Sets the year's thresholds, made from version `expected` (0: the
    /// defaults); returns the new version. Refused when a newer version is
    /// stored or the thresholds do not hold together.
    pub fn set_evaluation_thresholds(
        &mut self,
        year: i32,
        t: &Thresholds,
        expected: usize,
        by: &str,
        at: &str,
    ) -> Result<usize> {
        t.check().map_err(|(_, m)| StoreError::BadInput(m))?;
        let json = serde_json::to_string(t).map_err(|e| StoreError::BadInput(e.to_string()))?;
        let w = self.ward_key();
        let tx = self.write()?;
        let found: i64 = tx.query_row(
            "SELECT count(*) FROM evaluation_thresholds WHERE ward = ?2 AND year = ?1",
            (year, w),
            |r| r.get(0),
        )?;
        let found = usize::try_from(found).unwrap_or(0);
        if found != expected {
            return Err(stale("ngưỡng đánh giá / the thresholds", expected, found));
        }
        tx.execute(
            "INSERT INTO evaluation_thresholds (year, version, thresholds, set_by, set_at, ward)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            (year, found as i64 + 1, json, by, at, w),
        )?;
        tx.commit()?;
        Ok(found + 1)
    }

    /// The current ward's ratings for the year as they stand: each
    /// subject's latest.
    pub fn evaluation_ratings(&self, year: i32) -> Result<Decided> {
        let mut st = self.conn.prepare(
            "SELECT kind, subject, version, band, note, decided_by, decided_at
             FROM evaluation_ratings WHERE ward = ?2 AND year = ?1 ORDER BY version",
        )?;
        let rows = st
            .query_map((year, self.ward_key()), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Decided::new();
        for (kind, subject, version, band, note, decided_by, decided_at) in rows {
            let kind = SubjectKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("evaluation subject kind {kind:?}")))?;
            let band = Band::parse(&band)
                .ok_or_else(|| StoreError::Corrupt(format!("evaluation band {band:?}")))?;
            out.insert(
                (kind, subject),
                Rating {
                    band,
                    note,
                    decided_by,
                    decided_at,
                    version: usize::try_from(version).unwrap_or(0),
                },
            );
        }
        Ok(out)
    }

    /// Records a decided rating in the current ward; returns the subject's
    /// new version. Refused when a newer decision for the subject is stored.
    pub fn rate(&mut self, r: &RatingInput) -> Result<usize> {
        let w = self.ward_key();
        let tx = self.write()?;
        let found: i64 = tx.query_row(
            "SELECT count(*) FROM evaluation_ratings
             WHERE ward = ?4 AND year = ?1 AND kind = ?2 AND subject = ?3",
            (r.year, r.kind.code(), &r.subject, w),
            |row| row.get(0),
        )?;
        let found = usize::try_from(found).unwrap_or(0);
        if found != r.expected {
            return Err(stale(
                &format!("xếp loại của {} / the rating of {}", r.subject, r.subject),
                r.expected,
                found,
            ));
        }
        tx.execute(
            "INSERT INTO evaluation_ratings (year, kind, subject, version, band, note, decided_by, decided_at, ward)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            (
                r.year,
                r.kind.code(),
                &r.subject,
                found as i64 + 1,
                r.band.code(),
                &r.note,
                &r.by,
                &r.at,
                w,
            ),
        )?;
        tx.commit()?;
        Ok(found + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(expected: usize, band: Band) -> RatingInput {
        RatingInput {
            year: 2026,
            kind: SubjectKind::Member,
            subject: "DV1".into(),
            band,
            note: Some("ghi chú".into()),
            expected,
            by: "bt".into(),
            at: "2026-12-05T00:00:00Z".into(),
        }
    }

    #[test]
    fn a_rating_made_from_a_stale_version_is_refused_and_the_newer_stands() {
        let mut s = Store::open_in_memory().unwrap();
        assert_eq!(s.rate(&input(0, Band::Good)).unwrap(), 1);
        assert_eq!(s.rate(&input(1, Band::Excellent)).unwrap(), 2);
        assert!(matches!(
            s.rate(&input(1, Band::Completed)),
            Err(StoreError::Conflict(_))
        ));
        let now = s.evaluation_ratings(2026).unwrap();
        let r = &now[&(SubjectKind::Member, "DV1".to_string())];
        assert_eq!((r.band, r.version), (Band::Excellent, 2));
        assert!(s.evaluation_ratings(2025).unwrap().is_empty());
        // the history is append-only
        assert!(
            s.conn
                .execute("DELETE FROM evaluation_ratings", [])
                .is_err()
        );
    }

    #[test]
    fn thresholds_are_versioned_per_year_and_checked_before_writing() {
        let mut s = Store::open_in_memory().unwrap();
        assert_eq!(s.evaluation_thresholds(2026).unwrap(), None);
        let mut t = Thresholds::default();
        t.good.agreed = 0.6;
        assert_eq!(
            s.set_evaluation_thresholds(2026, &t, 0, "bt", "x").unwrap(),
            1
        );
        assert!(matches!(
            s.set_evaluation_thresholds(2026, &t, 0, "bt", "x"),
            Err(StoreError::Conflict(_))
        ));
        let mut bad = t;
        bad.good.agreed = 2.0;
        assert!(matches!(
            s.set_evaluation_thresholds(2026, &bad, 1, "bt", "x"),
            Err(StoreError::BadInput(_))
        ));
        let got = s.evaluation_thresholds(2026).unwrap().unwrap();
        assert_eq!((got.thresholds, got.version), (t, 1));
        assert_eq!(s.evaluation_thresholds(2025).unwrap(), None);
    }
}
