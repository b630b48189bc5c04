//! The ward's facts (the read model's input), kept in memory between
//! requests: every figure the API answers is computed from them by
//! [`crate::campaign::figures`], so the same figure is the same number on
//! every answer, page and report.
//!
//! Reading the facts of a 100,000-parcel ward takes about a second; they
//! are read again only when the data version moves. A recorded event (the
//! common write) only replaces the timelines of the parcels it touched, and
//! moves them in the latest figures ([`Kept`]).

use super::ApiError;
use crate::campaign::figures::Kept;
use crate::store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The facts held, with the data version ("imports.events.paperwork")
/// they are of.
type Held = Option<(String, Arc<Kept>)>;

/// The facts, shared by every request: each ward's under its own lock,
/// so that one ward's first read does not stall another's.
#[derive(Debug, Default, Clone)]
pub(super) struct Facts(Arc<Mutex<HashMap<i64, Arc<Mutex<Held>>>>>);

/// A version's parts: (imports, last event id, paperwork).
pub(super) fn parts(v: &str) -> Option<(&str, i64, &str)> {
    let mut it = v.split('.');
    let (i, e, p) = (it.next()?, it.next()?, it.next()?);
    Some((i, e.parse().ok()?, p))
}

impl Facts {
    /// The facts as the database holds them now. The lock is held while
    /// they are brought up to date, so that requests arriving together read
    /// them once; an update after events changes them in place when no
    /// request still holds the previous ones (else it changes a copy).
    pub(super) fn get(&self, s: &Store) -> Result<Arc<Kept>, ApiError> {
        let version = s.data_version()?;
        let slot = {
            let mut wards = self.0.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(wards.entry(s.ward_id().0).or_default())
        };
        let mut held = slot.lock().unwrap_or_else(|e| e.into_inner());
        let ward = match held.take() {
            Some((v, w)) if v == version => {
                *held = Some((v, Arc::clone(&w)));
                return Ok(w);
            }
            Some((v, w)) => match (parts(&v), parts(&version)) {
                // Only events were added since: replay the parcels they touched.
                (Some((i0, e0, p0)), Some((i1, e1, p1))) if i0 == i1 && p0 == p1 && e0 <= e1 => {
                    let mut w = Arc::unwrap_or_clone(w);
                    let touched = s.parcels_with_events_after(e0)?;
                    let mut lines = s.timelines_of(&touched)?;
                    for key in touched {
                        w.set_timeline(key, lines.remove(&key).unwrap_or_default());
                    }
                    w
                }
                _ => Kept::new(s.ward()?),
            },
            None => Kept::new(s.ward()?),
        };
        let ward = Arc::new(ward);
        *held = Some((version, Arc::clone(&ward)));
        Ok(ward)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn warming_reads_the_facts_before_any_request() {
        let dir = std::env::temp_dir().join(format!("hiendat-warm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("warm.db");
        let _ = std::fs::remove_file(&db);
        crate::demo::database::create_demo_as_of(
            &db,
            3,
            200,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        )
        .unwrap();
        let state = super::super::AppState::new(&db, true);
        let held = |s: &super::super::AppState| {
            let wards = s.facts().0.lock().unwrap().clone();
            let held = wards.values().next().map(|w| w.lock().unwrap().clone());
            held.flatten().map(|(_, w)| w.ward().parcels.len())
        };
        assert_eq!(held(&state), None, "nothing read before warming");
        state.warm().await.unwrap();
        assert_eq!(held(&state), Some(200), "every parcel's facts held");
        assert!(state.tiles.warmed(), "the tiles' sources and figures held");
        drop(state);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn versions_split_into_imports_events_and_paperwork() {
        assert_eq!(parts("3.1200.7"), Some(("3", 1200, "7")));
        assert_eq!(parts("3.x.7"), None);
        assert_eq!(parts("3.12"), None);
    }
}
