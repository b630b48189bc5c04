//! Field mode (issue 15): what a party member should do next at each of
//! the households on their list ("Việc của tôi"), and in which order.
//!
//! Pure: the status, the date it began and the last visit come from the
//! read model ([`super::figures::ParcelFacts`]) and the contacts log; this
//! module only decides. No I/O.

use super::events::{Status, Timeline};
use chrono::NaiveDate;

/// The idle threshold unless the ward sets one: the "idle days" the page
/// colours groups and segments by (stale past 30 days) and the inspection
/// proposals use.
pub const DEFAULT_IDLE_DAYS: u32 = super::inspection::DEFAULT_IDLE_DAYS;

/// Most households one list answers (a member has tens; a ward role asking
/// for a member with a data error still gets a bounded answer).
pub const MAX_HOUSEHOLDS: usize = 2_000;

/// What the member should do next at a household, most urgent first (its
/// place in this order is the household's `priority`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NextStep {
    /// Never contacted: go and make the first visit.
    FirstVisit,
    /// Not yet agreed and no contact for the idle threshold or longer.
    VisitAgain,
    /// Agreed, the donation record not signed yet.
    SignRecord,
    /// Being persuaded or declined, visited recently: keep at it.
    KeepPersuading,
    /// Signed, the site not handed over yet.
    HandOver,
    /// Handed over: nothing left to do.
    Done,
}

impl NextStep {
    /// Every step, in priority order.
    pub const ALL: [NextStep; 6] = [
        NextStep::FirstVisit,
        NextStep::VisitAgain,
        NextStep::SignRecord,
        NextStep::KeepPersuading,
        NextStep::HandOver,
        NextStep::Done,
    ];

    /// The code the API answers.
    pub fn as_str(self) -> &'static str {
        match self {
            NextStep::FirstVisit => "first_visit",
            NextStep::VisitAgain => "visit_again",
            NextStep::SignRecord => "sign_record",
            NextStep::KeepPersuading => "keep_persuading",
            NextStep::HandOver => "hand_over",
            NextStep::Done => "done",
        }
    }

    /// 0 = most urgent.
    pub fn priority(self) -> u32 {
        self as u32
    }
}

/// Where one household stands for its member on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldState {
    pub status: Status,
    /// The day the current status began (none: never moved from not contacted).
    pub status_since: Option<NaiveDate>,
    /// Days since the last logged visit (none: never visited).
    pub days_since_contact: Option<i64>,
    pub next_step: NextStep,
}

/// The day the status on `today` began: the earliest entry of the last run
/// of that status on or before `today` (none when it is not contacted with
/// no entry).
pub fn status_since(timeline: &Timeline, today: NaiveDate) -> Option<NaiveDate> {
    let n = timeline.0.partition_point(|(d, _)| *d <= today);
    let current = timeline.status_on(today);
    let mut since = None;
    for (d, s) in timeline.0[..n].iter().rev() {
        if *s != current {
            break;
        }
        since = Some(*d);
    }
    since
}

/// The household's state and next step on `today`, from its timeline and
/// the dates of its logged visits (any order), with `idle_days` the ward's
/// threshold.
///
/// ```
/// use hiendat::campaign::events::{Status, Timeline};
/// use hiendat::campaign::field::{NextStep, field_state};
/// use chrono::NaiveDate;
/// let d = |s: &str| s.parse::<NaiveDate>().unwrap();
/// let agreed = Timeline(vec![(d("2026-11-02"), Status::Agreed)]);
/// let st = field_state(&agreed, &[d("2026-11-01")], d("2026-12-05"), 30);
/// assert_eq!(st.next_step, NextStep::SignRecord);
/// assert_eq!(st.days_since_contact, Some(34));
/// ```
pub fn field_state(
    timeline: &Timeline,
    contacts: &[NaiveDate],
    today: NaiveDate,
    idle_days: u32,
) -> FieldState {
    let status = timeline.status_on(today);
    let since = status_since(timeline, today);
    let last_contact = contacts.iter().filter(|d| **d <= today).max().copied();
    let days_since_contact = last_contact.map(|d| (today - d).num_days());
    // The last time anyone dealt with the household: a visit, or a status
    // recorded without a visit logged.
    let touched = match (
        last_contact,
        since.filter(|_| status != Status::NotContacted),
    ) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let next_step = match status {
        Status::HandedOver => NextStep::Done,
        Status::Signed => NextStep::HandOver,
        Status::Agreed => NextStep::SignRecord,
        _ => match touched {
            None => NextStep::FirstVisit,
            Some(t) if (today - t).num_days() >= i64::from(idle_days) => NextStep::VisitAgain,
            Some(_) => NextStep::KeepPersuading,
        },
    };
    FieldState {
        status,
        status_since: since,
        days_since_contact,
        next_step,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const TODAY: &str = "2026-12-05";

    fn step(timeline: &[(&str, Status)], contacts: &[&str]) -> FieldState {
        let t = Timeline(timeline.iter().map(|(x, s)| (d(x), *s)).collect());
        let c: Vec<NaiveDate> = contacts.iter().map(|x| d(x)).collect();
        field_state(&t, &c, d(TODAY), 30)
    }

    #[test]
    fn a_household_never_contacted_needs_a_first_visit() {
        let s = step(&[], &[]);
        assert_eq!(s.next_step, NextStep::FirstVisit);
        assert_eq!(s.status, Status::NotContacted);
        assert_eq!((s.status_since, s.days_since_contact), (None, None));
    }

    #[test]
    fn no_contact_for_the_idle_threshold_means_visit_again() {
        // 30 days exactly is idle; 29 is not
        let idle = step(&[("2026-10-01", Status::Persuading)], &["2026-11-05"]);
        assert_eq!(idle.next_step, NextStep::VisitAgain);
        assert_eq!(idle.days_since_contact, Some(30));
        let recent = step(&[("2026-10-01", Status::Persuading)], &["2026-11-06"]);
        assert_eq!(recent.next_step, NextStep::KeepPersuading);
        // declined and idle: visit again too
        let declined = step(&[("2026-09-01", Status::Declined)], &["2026-09-01"]);
        assert_eq!(declined.next_step, NextStep::VisitAgain);
    }

    #[test]
    fn a_status_recorded_without_a_visit_counts_as_contact() {
        let s = step(&[("2026-12-01", Status::Persuading)], &[]);
        assert_eq!(s.next_step, NextStep::KeepPersuading);
        assert_eq!(s.days_since_contact, None);
        let old = step(&[("2026-10-01", Status::Persuading)], &[]);
        assert_eq!(old.next_step, NextStep::VisitAgain);
    }

    #[test]
    fn agreed_signed_and_handed_over_lead_to_their_next_paper() {
        let agreed = step(
            &[
                ("2026-10-01", Status::Persuading),
                ("2026-10-10", Status::Agreed),
            ],
            &["2026-10-01"],
        );
        // agreed long ago: still the record to sign, not a persuasion visit
        assert_eq!(agreed.next_step, NextStep::SignRecord);
        assert_eq!(agreed.status_since, Some(d("2026-10-10")));
        assert_eq!(
            step(&[("2026-11-01", Status::Signed)], &[]).next_step,
            NextStep::HandOver
        );
        assert_eq!(
            step(&[("2026-11-01", Status::HandedOver)], &[]).next_step,
            NextStep::Done
        );
    }

    #[test]
    fn events_after_today_and_future_visits_do_not_count() {
        let s = step(&[("2026-12-20", Status::Agreed)], &["2026-12-20"]);
        assert_eq!(s.next_step, NextStep::FirstVisit);
    }

    #[test]
    fn status_since_is_the_start_of_the_current_run() {
        let t = Timeline(vec![
            (d("2026-10-01"), Status::Persuading),
            (d("2026-10-05"), Status::Declined),
            (d("2026-10-09"), Status::Declined),
        ]);
        assert_eq!(status_since(&t, d(TODAY)), Some(d("2026-10-05")));
        assert_eq!(status_since(&t, d("2026-10-03")), Some(d("2026-10-01")));
    }

    #[test]
    fn priorities_follow_what_needs_doing_first() {
        let p: Vec<u32> = NextStep::ALL.iter().map(|s| s.priority()).collect();
        assert_eq!(p, vec![0, 1, 2, 3, 4, 5]);
        assert!(NextStep::FirstVisit.priority() < NextStep::VisitAgain.priority());
        assert!(NextStep::VisitAgain.priority() < NextStep::SignRecord.priority());
        assert!(NextStep::SignRecord.priority() < NextStep::Done.priority());
    }
}
