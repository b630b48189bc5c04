//! The campaign event log: a parcel's status is derived from append-only
//! events, never stored.
//!
//! Each [`Event`] says what happened to a parcel (its new [`Status`]), on
//! which date it happened, when and by whom it was entered. Nothing is edited:
//! a mistake is put right by a new event that names the one it corrects
//! ([`Event::corrects`]); the corrected event then no longer counts. Any past
//! date can be replayed with [`replay`]. Pure: no I/O.

use super::FeatureId;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

/// A parcel's status changes that count, in the order they took effect:
/// the status on a date is the last entry on or before it (none:
/// [`Status::NotContacted`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline(pub Vec<(NaiveDate, Status)>);

impl Timeline {
    /// The status at the end of `as_of`.
    pub fn status_on(&self, as_of: NaiveDate) -> Status {
        let n = self.0.partition_point(|(d, _)| *d <= as_of);
        n.checked_sub(1)
            .map_or(Status::NotContacted, |i| self.0[i].1)
    }
}

/// Where a parcel's household stands in the campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Chưa tiếp cận: nobody has visited yet.
    NotContacted,
    /// Đang vận động: being persuaded.
    Persuading,
    /// Chưa đồng ý: has declined for now (beside persuading).
    Declined,
    /// Đã đồng ý: agreed to donate.
    Agreed,
    /// Đã ký biên bản: signed the donation record.
    Signed,
    /// Đã bàn giao mặt bằng: site handed over.
    HandedOver,
}

impl Status {
    /// Every status, in campaign order.
    pub const ALL: [Status; 6] = [
        Status::NotContacted,
        Status::Persuading,
        Status::Declined,
        Status::Agreed,
        Status::Signed,
        Status::HandedOver,
    ];

    /// Its place in [`Status::ALL`] (figures keep counts in that order).
    pub fn index(self) -> usize {
        self as usize
    }

    /// Agreed, signed or handed over: the household has reached agreement
    /// (its structures marked as donated count as donated from then on).
    pub fn reached_agreement(self) -> bool {
        matches!(self, Status::Agreed | Status::Signed | Status::HandedOver)
    }

    /// The snake_case code used in files, the database and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotContacted => "not_contacted",
            Status::Persuading => "persuading",
            Status::Declined => "declined",
            Status::Agreed => "agreed",
            Status::Signed => "signed",
            Status::HandedOver => "handed_over",
        }
    }

    /// The Vietnamese label shown to people.
    pub fn label_vi(self) -> &'static str {
        match self {
            Status::NotContacted => "Chưa tiếp cận",
            Status::Persuading => "Đang vận động",
            Status::Declined => "Chưa đồng ý",
            Status::Agreed => "Đã đồng ý",
            Status::Signed => "Đã ký biên bản",
            Status::HandedOver => "Đã bàn giao mặt bằng",
        }
    }

    /// The statuses reachable from this one by an ordinary event (corrections
    /// are not bound by this table).
    ///
    /// | from | to |
    /// |---|---|
    /// | not_contacted | persuading, declined, agreed |
    /// | persuading | declined, agreed |
    /// | declined | persuading, agreed |
    /// | agreed | signed, persuading, declined (withdrawn before hand-over) |
    /// | signed | handed_over, declined (withdrawn) |
    /// | handed_over | — (final; only a correction changes it) |
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            NotContacted => &[Persuading, Declined, Agreed],
            Persuading => &[Declined, Agreed],
            Declined => &[Persuading, Agreed],
            Agreed => &[Signed, Persuading, Declined],
            Signed => &[HandedOver, Declined],
            HandedOver => &[],
        }
    }
}

/// A status as the public may know it. Voluntary means refusal is private:
/// not contacted, being persuaded and declined all read "chưa hiến" (not
/// yet), so that no neighbour can point at the households that said no;
/// the steps of donating stay as they are. Logged-in roles see [`Status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PublicStatus {
    /// Chưa hiến: not contacted, being persuaded or declined.
    NotYet,
    Agreed,
    Signed,
    HandedOver,
}

impl Status {
    /// What the public may know of this status: the one mapping every
    /// answer to an anonymous caller goes through.
    pub fn public(self) -> PublicStatus {
        match self {
            Status::NotContacted | Status::Persuading | Status::Declined => PublicStatus::NotYet,
            Status::Agreed => PublicStatus::Agreed,
            Status::Signed => PublicStatus::Signed,
            Status::HandedOver => PublicStatus::HandedOver,
        }
    }
}

impl PublicStatus {
    /// Every public status, in campaign order.
    pub const ALL: [PublicStatus; 4] = [
        PublicStatus::NotYet,
        PublicStatus::Agreed,
        PublicStatus::Signed,
        PublicStatus::HandedOver,
    ];

    /// The code used in the API (`not_yet`; the others as [`Status::as_str`]).
    pub fn as_str(self) -> &'static str {
        match self {
            PublicStatus::NotYet => "not_yet",
            PublicStatus::Agreed => Status::Agreed.as_str(),
            PublicStatus::Signed => Status::Signed.as_str(),
            PublicStatus::HandedOver => Status::HandedOver.as_str(),
        }
    }

    /// The Vietnamese label shown to people.
    pub fn label_vi(self) -> &'static str {
        match self {
            PublicStatus::NotYet => "Chưa hiến",
            PublicStatus::Agreed => Status::Agreed.label_vi(),
            PublicStatus::Signed => Status::Signed.label_vi(),
            PublicStatus::HandedOver => Status::HandedOver.label_vi(),
        }
    }

    /// The statuses it stands for.
    pub fn statuses(self) -> impl Iterator<Item = Status> {
        Status::ALL.into_iter().filter(move |s| s.public() == self)
    }

    /// `not_yet`, or a status that is its own public status; `None` for the
    /// codes only logged-in roles may ask for (persuading, declined...).
    pub fn parse(s: &str) -> Option<PublicStatus> {
        PublicStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Who an answer is for: the public (anonymous visitors) or the ward's
/// staff (any logged-in role). Doors pick it from the caller; what each
/// sees of a status is decided here, nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    Public,
    Staff,
}

impl Audience {
    /// A status's code as this audience reads it.
    pub fn code(self, s: Status) -> &'static str {
        match self {
            Audience::Public => s.public().as_str(),
            Audience::Staff => s.as_str(),
        }
    }

    /// A status's Vietnamese label as this audience reads it.
    pub fn label_vi(self, s: Status) -> &'static str {
        match self {
            Audience::Public => s.public().label_vi(),
            Audience::Staff => s.label_vi(),
        }
    }

    /// Whether two statuses read the same to this audience.
    pub fn same(self, a: Status, b: Status) -> bool {
        match self {
            Audience::Public => a.public() == b.public(),
            Audience::Staff => a == b,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status code that is not one of [`Status::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "trạng thái không hợp lệ: {0:?} / unknown status {0:?} (not_contacted, persuading, declined, agreed, signed, handed_over)"
)]
pub struct UnknownStatus(pub String);

impl FromStr for Status {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Status, UnknownStatus> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_string()))
    }
}

/// A change of status that the transition table does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionError {
    pub from: Status,
    pub to: Status,
    /// Where and when, when known: the message then says what state the
    /// parcel was in on the event's date.
    pub context: Option<TransitionContext>,
}

/// The parcel and dates a refused transition is explained by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionContext {
    /// "tờ 7, thửa 245".
    pub parcel_vi: String,
    /// "sheet 7, parcel 245".
    pub parcel_en: String,
    /// The date of the refused event.
    pub on: NaiveDate,
    /// What refused it: the state on that date, or a later event that
    /// could not follow from the new one.
    pub clash: Clash,
}

/// Why a back-dated or ordinary event does not fit the parcel's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clash {
    /// The parcel stood at `from` on the event's date; `next` is the change
    /// that came after that date, if any (date and status).
    Before { next: Option<(NaiveDate, Status)> },
    /// An event recorded later in the log (on this date) cannot follow the
    /// new status.
    After { on: NaiveDate },
}

/// A date as people read it: 03/12/2026.
pub fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (from, to) = (self.from, self.to);
        let (vf, vt) = (from.label_vi(), to.label_vi());
        let allowed_vi: Vec<String> = from
            .next()
            .iter()
            .map(|s| format!("\"{}\"", s.label_vi()))
            .collect();
        let allowed_en: Vec<&str> = from.next().iter().map(|s| s.as_str()).collect();
        let (allowed_vi, allowed_en) = if allowed_vi.is_empty() {
            (
                "không trạng thái nào (chỉ đính chính)".to_string(),
                "none (a correction only)".to_string(),
            )
        } else {
            (allowed_vi.join(", "), allowed_en.join(", "))
        };
        match &self.context {
            None => write!(
                f,
                "không thể chuyển từ \"{vf}\" sang \"{vt}\" / cannot go from {from} to {to}"
            ),
            Some(c) => {
                let (pv, pe, d) = (&c.parcel_vi, &c.parcel_en, dmy(c.on));
                match c.clash {
                    Clash::Before { next } => {
                        let (later_vi, later_en) = match next {
                            Some((n, s)) => (
                                format!(" (đến ngày {} mới là \"{}\")", dmy(n), s.label_vi()),
                                format!(" (it became {s} on {})", dmy(n)),
                            ),
                            None => (String::new(), String::new()),
                        };
                        write!(
                            f,
                            "ngày {d}, {pv} đang ở trạng thái \"{vf}\"{later_vi}: không thể chuyển từ \"{vf}\" sang \"{vt}\"; từ \"{vf}\" chỉ chuyển được sang {allowed_vi} / on {d}, {pe} was {from}{later_en}: cannot go from {from} to {to}; from {from} only to {allowed_en}"
                        )
                    }
                    Clash::After { on } => write!(
                        f,
                        "{pv}: ghi \"{vf}\" ngày {d} thì sự kiện \"{vt}\" ngày {} đã ghi không còn hợp lệ (không thể chuyển từ \"{vf}\" sang \"{vt}\") / {pe}: {from} on {d} would leave the recorded {to} of {} invalid (cannot go from {from} to {to})",
                        dmy(on),
                        dmy(on)
                    ),
                }
            }
        }
    }
}

impl std::error::Error for TransitionError {}

impl TransitionError {
    /// The same refusal, explained for `parcel` on `on`.
    pub fn explained(mut self, context: TransitionContext) -> TransitionError {
        self.context = Some(context);
        self
    }
}

/// Whether an ordinary event may take a parcel from `current` to `next`.
pub fn check_transition(current: Status, next: Status) -> Result<(), TransitionError> {
    if current.next().contains(&next) {
        Ok(())
    } else {
        Err(TransitionError {
            from: current,
            to: next,
            context: None,
        })
    }
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub parcel: FeatureId,
    /// The parcel's status from this event on.
    pub status: Status,
    /// The date it happened (as the household and the cell know it).
    pub occurred_on: NaiveDate,
    /// When it was entered.
    pub entered_at: DateTime<Utc>,
    /// The user who entered it.
    pub entered_by: String,
    /// The party member involved, if any.
    pub party_member: Option<String>,
    pub note: Option<String>,
    /// The id of the event this one corrects: that event no longer counts.
    pub corrects: Option<i64>,
}

/// An event with the id the log gave it (ids grow with each append).
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    pub id: i64,
    pub event: Event,
}

/// The ids of events that no longer count: named by a correction that itself
/// still counts. A correction always comes after what it corrects, so walking
/// from the newest id down settles each correction before it is used
/// (correcting a correction restores the event it had struck out).
pub fn voided(events: &[Logged]) -> HashSet<i64> {
    let mut order: Vec<&Logged> = events.iter().collect();
    order.sort_by_key(|l| std::cmp::Reverse(l.id));
    let mut void = HashSet::new();
    for l in order {
        if let Some(c) = l.event.corrects
            && !void.contains(&l.id)
        {
            void.insert(c);
        }
    }
    void
}

/// The events that count on `as_of`, in the order they took effect:
/// by `occurred_on`, then `entered_at`, then id.
pub fn effective(events: &[Logged], as_of: NaiveDate) -> Vec<&Logged> {
    let void = voided(events);
    let mut live: Vec<&Logged> = events
        .iter()
        .filter(|l| !void.contains(&l.id) && l.event.occurred_on <= as_of)
        .collect();
    live.sort_by_key(|l| (l.event.occurred_on, l.event.entered_at, l.id));
    live
}

/// A parcel's status on `as_of` (end of that day) from its events: the
/// status of the last counting event that had happened by then, or
/// [`Status::NotContacted`] if none. Corrections count whenever they were
/// entered: replaying a past date gives today's best knowledge of that day.
pub fn replay(events: &[Logged], as_of: NaiveDate) -> Status {
    effective(events, as_of)
        .last()
        .map_or(Status::NotContacted, |l| l.event.status)
}

/// A parcel's history as the public may read it: each change of its
/// public status, in effect order (corrections applied), with the date it
/// happened. A visit, a refusal or a return to persuasion changes nothing
/// the public sees, so it leaves no entry: the public history never tells
/// "declined" from "being persuaded", nor when either happened.
pub fn public_history(events: &[Logged]) -> Vec<(NaiveDate, PublicStatus)> {
    let mut out: Vec<(NaiveDate, PublicStatus)> = Vec::new();
    let mut shown = PublicStatus::NotYet;
    for l in effective(events, NaiveDate::MAX) {
        let p = l.event.status.public();
        if p != shown {
            out.push((l.event.occurred_on, p));
            shown = p;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn date(m: u32, d: u32) -> NaiveDate {
        let y = if m >= 7 { 2024 } else { 2025 };
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn ev(id: i64, status: Status, on: NaiveDate, corrects: Option<i64>) -> Logged {
        Logged {
            id,
            event: Event {
                parcel: FeatureId::from(7),
                status,
                occurred_on: on,
                entered_at: Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, id as u32).unwrap(),
                entered_by: "canbo".into(),
                party_member: None,
                note: None,
                corrects,
            },
        }
    }

    #[test]
    fn codes_and_labels_round_trip() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
        }
        assert_eq!(Status::Declined.label_vi(), "Chưa đồng ý");
        assert_eq!(Status::HandedOver.label_vi(), "Đã bàn giao mặt bằng");
        assert!("done".parse::<Status>().is_err());
    }

    #[test]
    fn the_public_reads_not_contacted_persuading_and_declined_as_not_yet() {
        use Status::*;
        for s in [NotContacted, Persuading, Declined] {
            assert_eq!(s.public(), PublicStatus::NotYet);
            assert_eq!(Audience::Public.code(s), "not_yet");
            assert_eq!(Audience::Public.label_vi(s), "Chưa hiến");
        }
        for s in [Agreed, Signed, HandedOver] {
            assert_eq!(Audience::Public.code(s), s.as_str());
            assert_eq!(Audience::Public.label_vi(s), s.label_vi());
        }
        assert_eq!(Audience::Staff.code(Declined), "declined");
        let not_yet: Vec<Status> = PublicStatus::NotYet.statuses().collect();
        assert_eq!(not_yet, [NotContacted, Persuading, Declined]);
        assert_eq!(PublicStatus::parse("not_yet"), Some(PublicStatus::NotYet));
        assert_eq!(PublicStatus::parse("signed"), Some(PublicStatus::Signed));
        assert_eq!(PublicStatus::parse("declined"), None);
        assert!(Audience::Public.same(Persuading, Declined));
        assert!(!Audience::Staff.same(Persuading, Declined));
    }

    #[test]
    fn the_public_history_shows_only_changes_of_the_public_status() {
        use Status::*;
        let log = [
            ev(1, Persuading, date(10, 5), None),
            ev(2, Declined, date(10, 20), None),
            ev(3, Agreed, date(11, 2), None),
            // withdrew, was persuaded again, then signed
            ev(4, Declined, date(11, 10), None),
            ev(5, Persuading, date(11, 15), None),
            ev(6, Signed, date(11, 27), None),
            // entered wrongly, then struck out
            ev(7, HandedOver, date(12, 1), None),
            ev(8, Signed, date(12, 1), Some(7)),
        ];
        let d = |m, dd| date(m, dd);
        assert_eq!(
            public_history(&log),
            [
                (d(11, 2), PublicStatus::Agreed),
                (d(11, 10), PublicStatus::NotYet),
                (d(11, 27), PublicStatus::Signed),
            ]
        );
    }

    #[test]
    fn the_table_allows_the_campaign_path_and_withdrawals() {
        use Status::*;
        for (a, b) in [
            (NotContacted, Persuading),
            (NotContacted, Agreed),
            (NotContacted, Declined),
            (Persuading, Declined),
            (Declined, Persuading),
            (Declined, Agreed),
            (Agreed, Signed),
            (Agreed, Declined),
            (Agreed, Persuading),
            (Signed, HandedOver),
            (Signed, Declined),
        ] {
            assert_eq!(check_transition(a, b), Ok(()), "{a} → {b}");
        }
        for (a, b) in [
            (NotContacted, Signed),
            (Persuading, HandedOver),
            (Persuading, Persuading),
            (HandedOver, Declined),
            (Signed, Persuading),
            (Agreed, NotContacted),
        ] {
            assert!(check_transition(a, b).is_err(), "{a} → {b}");
        }
    }

    #[test]
    fn a_refused_transition_names_both_statuses_in_both_languages() {
        let e = check_transition(Status::HandedOver, Status::Declined).unwrap_err();
        let m = e.to_string();
        assert!(m.starts_with("không thể chuyển từ \"Đã bàn giao mặt bằng\" sang \"Chưa đồng ý\""));
        assert!(m.ends_with("cannot go from handed_over to declined"), "{m}");
    }

    #[test]
    fn replaying_the_state_on_1_december() {
        use Status::*;
        let log = [
            ev(1, Persuading, date(10, 5), None),
            ev(2, Agreed, date(11, 20), None),
            ev(3, Signed, date(12, 1), None),
            ev(4, HandedOver, date(1, 15), None),
        ];
        assert_eq!(replay(&log, date(9, 30)), NotContacted);
        assert_eq!(replay(&log, date(11, 30)), Agreed);
        assert_eq!(replay(&log, date(12, 1)), Signed);
        assert_eq!(replay(&log, date(1, 14)), Signed);
        assert_eq!(replay(&log, date(6, 1)), HandedOver);
    }

    #[test]
    fn events_take_effect_by_the_date_they_happened_not_entry_order() {
        use Status::*;
        // Entered late: the visit of 3 October was written down after the agreement.
        let log = [
            ev(1, Agreed, date(11, 1), None),
            ev(2, Persuading, date(10, 3), None),
        ];
        assert_eq!(replay(&log, date(10, 31)), Persuading);
        assert_eq!(replay(&log, date(11, 1)), Agreed);
    }

    #[test]
    fn a_correction_strikes_out_the_event_it_names() {
        use Status::*;
        let log = [
            ev(1, Persuading, date(10, 5), None),
            ev(2, Signed, date(11, 28), None),
            // Not signed on 28 November: agreed, on the 27th.
            ev(3, Agreed, date(11, 27), Some(2)),
        ];
        assert_eq!(replay(&log, date(12, 1)), Agreed);
        assert_eq!(replay(&log, date(11, 26)), Persuading);
        assert_eq!(voided(&log), HashSet::from([2]));
    }

    #[test]
    fn correcting_a_correction_restores_the_original() {
        use Status::*;
        let log = [
            ev(1, Agreed, date(11, 1), None),
            ev(2, Declined, date(11, 1), Some(1)),
            ev(3, Agreed, date(11, 1), Some(2)),
        ];
        assert_eq!(voided(&log), HashSet::from([2]));
        assert_eq!(replay(&log, date(12, 1)), Agreed);
        let ids: Vec<i64> = effective(&log, date(12, 1)).iter().map(|l| l.id).collect();
        assert_eq!(ids, [1, 3]);
    }

    #[test]
    fn a_correction_dated_later_than_as_of_does_not_count_yet() {
        use Status::*;
        let log = [
            ev(1, Persuading, date(10, 1), None),
            ev(2, HandedOver, date(11, 1), None),
            ev(3, Signed, date(12, 15), Some(2)),
        ];
        assert_eq!(replay(&log, date(12, 1)), Persuading);
        assert_eq!(replay(&log, date(12, 31)), Signed);
    }
}
