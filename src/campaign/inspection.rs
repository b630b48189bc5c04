//! Inspection and supervision (kiểm tra, giám sát) by the Inspection
//! Committee (Ủy ban Kiểm tra): what an inspection is, the state of its
//! required actions on a day, and whom hiendat proposes to inspect.
//!
//! The proposals take every figure from the read model
//! ([`super::figures::Ward`]): the households assigned to each member on the
//! day, their steps and logged visits, the members' own households' steps.
//! Areas behind their plan are the plans' to say: the caller passes them in
//! ([`BehindPlan`]). Pure: no I/O.

use super::events::{Status, dmy};
use super::figures::Ward;
use chrono::NaiveDate;

/// Longest scope, findings, conclusion, action or follow-up text (chars).
pub const MAX_TEXT: usize = 4000;
/// Most required actions on one inspection.
pub const MAX_ACTIONS: usize = 50;
/// Most attachments on one inspection.
pub const MAX_ATTACHMENTS: usize = 20;
/// The `idle_days` of the proposals unless the caller says otherwise.
pub const DEFAULT_IDLE_DAYS: u32 = 30;

/// Who is inspected: a party cell or a party member, by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectKind {
    Cell,
    Member,
}

impl SubjectKind {
    pub fn code(self) -> &'static str {
        match self {
            SubjectKind::Cell => "cell",
            SubjectKind::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<SubjectKind> {
        match s {
            "cell" => Some(SubjectKind::Cell),
            "member" => Some(SubjectKind::Member),
            _ => None,
        }
    }

    /// "Chi bộ / Party cell".
    pub fn label(self) -> &'static str {
        match self {
            SubjectKind::Cell => "Chi bộ / Party cell",
            SubjectKind::Member => "Đảng viên / Party member",
        }
    }
}

/// Kiểm tra (an inspection, with a conclusion) or giám sát (supervision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InspectionKind {
    Inspection,
    Supervision,
}

impl InspectionKind {
    pub fn code(self) -> &'static str {
        match self {
            InspectionKind::Inspection => "inspection",
            InspectionKind::Supervision => "supervision",
        }
    }

    pub fn parse(s: &str) -> Option<InspectionKind> {
        match s {
            "inspection" => Some(InspectionKind::Inspection),
            "supervision" => Some(InspectionKind::Supervision),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InspectionKind::Inspection => "Kiểm tra / Inspection",
            InspectionKind::Supervision => "Giám sát / Supervision",
        }
    }
}

/// An inspection's values as entered (what an edit replaces).
#[derive(Debug, Clone, PartialEq)]
pub struct InspectionValues {
    pub subject_kind: SubjectKind,
    pub subject_code: String,
    pub kind: InspectionKind,
    pub held_on: NaiveDate,
    pub scope: String,
    pub findings: String,
    pub conclusion: String,
}

/// A recorded inspection with its required actions.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    pub id: i64,
    pub values: InspectionValues,
    /// The subject's name as the organisation holds it (none: since removed).
    pub subject_name: Option<String>,
    pub entered_at: String,
    pub entered_by: String,
    /// Bumped by every edit: an edit names the version it was made from.
    pub version: i64,
    pub actions: Vec<RequiredAction>,
    pub attachments: Vec<AttachmentInfo>,
}

/// A required action (yêu cầu khắc phục) with its deadline and follow-up.
#[derive(Debug, Clone, PartialEq)]
pub struct RequiredAction {
    pub id: i64,
    pub text: String,
    pub deadline: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub follow_up: String,
    pub version: i64,
}

/// An attachment's description (the bytes stay in the store).
#[derive(Debug, Clone, PartialEq)]
pub struct AttachmentInfo {
    pub id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: usize,
    pub sha256: String,
    pub uploaded_at: String,
    pub uploaded_by: String,
}

/// Where a required action stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionState {
    /// Done on or before the day.
    Done,
    /// Not done, and the deadline is past.
    Overdue,
    /// Not done, the deadline not yet past.
    Open,
}

impl ActionState {
    pub fn code(self) -> &'static str {
        match self {
            ActionState::Done => "done",
            ActionState::Overdue => "overdue",
            ActionState::Open => "open",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ActionState::Done => "Đã thực hiện / Done",
            ActionState::Overdue => "Quá hạn / Overdue",
            ActionState::Open => "Đang thực hiện / Open",
        }
    }
}

impl RequiredAction {
    /// Its state at the end of `day`.
    pub fn state_on(&self, day: NaiveDate) -> ActionState {
        match self.done_on {
            Some(d) if d <= day => ActionState::Done,
            _ if self.deadline < day => ActionState::Overdue,
            _ => ActionState::Open,
        }
    }
}

/// An area behind its plan, as the plans say (the caller's input).
#[derive(Debug, Clone, PartialEq)]
pub struct BehindPlan {
    pub kind: SubjectKind,
    pub code: String,
    pub name: String,
    pub why_vi: String,
    pub why_en: String,
}

/// Why a subject is proposed, with the figures.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// Households assigned to the member, not yet agreed, with no visit
    /// and no step for `threshold` days or more (counted from the later of
    /// the last visit or step and the assignment's start).
    Idle {
        households: usize,
        assigned: usize,
        longest_days: i64,
        threshold: u32,
    },
    /// The member's own household has not agreed (not contacted, being
    /// persuaded, declined).
    OwnFamily { status: Status },
    /// Behind the plan, as the plans say.
    BehindPlan { vi: String, en: String },
}

impl Reason {
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Idle { .. } => "idle",
            Reason::OwnFamily { .. } => "own_family",
            Reason::BehindPlan { .. } => "behind_plan",
        }
    }

    /// "… / …": Vietnamese, then English.
    pub fn text(&self) -> String {
        match self {
            Reason::Idle {
                households,
                assigned,
                longest_days,
                threshold,
            } => format!(
                "{households}/{assigned} hộ được phân công chưa đồng ý và không có lần tiếp xúc nào trong {threshold} ngày trở lên (lâu nhất {longest_days} ngày) / {households} of {assigned} assigned households not yet agreed and not contacted for {threshold} days or more (longest {longest_days} days)"
            ),
            Reason::OwnFamily { status } => format!(
                "Gia đình đảng viên chưa đồng ý hiến đất: {} / The member's own household has not agreed: {}",
                status.label_vi().to_lowercase(),
                status.as_str().replace('_', " ")
            ),
            Reason::BehindPlan { vi, en } => {
                format!("Chậm so với kế hoạch: {vi} / Behind plan: {en}")
            }
        }
    }
}

/// A subject hiendat proposes to inspect, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub kind: SubjectKind,
    pub code: String,
    pub name: String,
    /// The member's cell's code (none for a cell).
    pub cell: Option<String>,
    pub reasons: Vec<Reason>,
}

/// Whom to inspect on `day`: members with assigned households not yet
/// agreed that saw no visit or step for `idle_days` days; members whose
/// own household ([`super::figures::MemberFacts::household`]) has not
/// agreed; the cells `behind` their plan ([`behind_plan`]). Members in
/// [`Ward::members`] order, then the cells behind plan.
pub fn proposals(
    ward: &Ward,
    day: NaiveDate,
    idle_days: u32,
    behind: &[BehindPlan],
) -> Vec<Proposal> {
    let n = ward.members.len();
    // per member: (assigned, idle households, longest idle)
    let mut idle = vec![(0usize, 0usize, 0i64); n];
    for p in ward.parcels.iter().filter(|p| p.affected()) {
        let Some(m) = p.member_on(day) else { continue };
        idle[m].0 += 1;
        if p.status_on(day).reached_agreement() {
            continue;
        }
        let since = p
            .assignments
            .iter()
            .filter(|(i, f, t)| *i == m && *f <= day && t.is_none_or(|t| day < t))
            .map(|a| a.1)
            .max();
        let touched = p
            .contacts
            .iter()
            .copied()
            .chain(p.timeline.0.iter().map(|(d, _)| *d))
            .filter(|d| *d <= day)
            .max();
        let Some(from) = since.max(touched) else {
            continue;
        };
        let days = (day - from).num_days();
        if days >= i64::from(idle_days) {
            idle[m].1 += 1;
            idle[m].2 = idle[m].2.max(days);
        }
    }
    let mut out = Vec::new();
    for (i, m) in ward.members.iter().enumerate() {
        let mut reasons = Vec::new();
        let (assigned, households, longest_days) = idle[i];
        if households > 0 {
            reasons.push(Reason::Idle {
                households,
                assigned,
                longest_days,
                threshold: idle_days,
            });
        }
        let own_status = m
            .household
            .and_then(|i| ward.parcels.get(i))
            .filter(|p| p.affected())
            .map(|p| p.status_on(day))
            .filter(|s| !s.reached_agreement());
        if let Some(status) = own_status {
            reasons.push(Reason::OwnFamily { status });
        }
        if !reasons.is_empty() {
            out.push(Proposal {
                kind: SubjectKind::Member,
                code: m.code.clone(),
                name: m.name.clone(),
                cell: ward.cells.get(m.cell).map(|c| c.code.clone()),
                reasons,
            });
        }
    }
    for b in behind {
        out.push(Proposal {
            kind: b.kind,
            code: b.code.clone(),
            name: b.name.clone(),
            cell: None,
            reasons: vec![Reason::BehindPlan {
                vi: b.why_vi.clone(),
                en: b.why_en.clone(),
            }],
        });
    }
    out
}

/// The party cells answering for the areas behind their plans
/// ([`super::plans::behind`]): a cell's own plan, the cell covering a
/// group, the cells covering a segment's groups; each cell once, with
/// every missed milestone that names it.
pub fn behind_plan(ward: &Ward, behind: &[super::plans::Behind]) -> Vec<BehindPlan> {
    let mut out: Vec<(usize, Vec<String>, Vec<String>)> = Vec::new();
    for b in behind {
        let cells = super::plans::cells_answering(ward, &b.area);
        let (last_due, days) = b
            .missed
            .iter()
            .max_by_key(|(d, _)| *d)
            .copied()
            .unwrap_or_default();
        let vi = format!(
            "kế hoạch ({}: {}): {} mốc quá hạn (mốc {} quá {} ngày)",
            b.area.kind.label(),
            b.area.code,
            b.missed.len(),
            super::events::dmy(last_due),
            days
        );
        let en = format!(
            "plan ({}: {}): {} milestone(s) overdue (due {}, {} days over)",
            b.area.kind.english(),
            b.area.code,
            b.missed.len(),
            super::events::dmy(last_due),
            days
        );
        for c in cells {
            match out.iter_mut().find(|(x, _, _)| *x == c) {
                Some((_, v, e)) => {
                    v.push(vi.clone());
                    e.push(en.clone());
                }
                None => out.push((c, vec![vi.clone()], vec![en.clone()])),
            }
        }
    }
    out.into_iter()
        .map(|(c, vi, en)| BehindPlan {
            kind: SubjectKind::Cell,
            code: ward.cells[c].code.clone(),
            name: ward.cells[c].name.clone(),
            why_vi: vi.join("; "),
            why_en: en.join("; "),
        })
        .collect()
}

/// A text field checked: trimmed, at most [`MAX_TEXT`] characters, and
/// not blank when `required`. The error names the field.
pub fn text_field(field: &str, s: &str, required: bool) -> Result<String, String> {
    let t = s.trim();
    if required && t.is_empty() {
        return Err(format!("{field}: không được để trống / must not be blank"));
    }
    let n = t.chars().count();
    if n > MAX_TEXT {
        return Err(format!(
            "{field}: dài {n} ký tự, tối đa {MAX_TEXT} / {n} characters, at most {MAX_TEXT}"
        ));
    }
    Ok(t.to_string())
}

/// A deadline on or after the inspection's date; the error names it.
pub fn check_deadline(deadline: NaiveDate, held_on: NaiveDate) -> Result<(), String> {
    if deadline < held_on {
        return Err(format!(
            "deadline: hạn {} trước ngày kiểm tra {} / the deadline {} is before the inspection's date {}",
            dmy(deadline),
            dmy(held_on),
            dmy(deadline),
            dmy(held_on)
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "inspection_tests.rs"]
mod tests;
