//! Structures on the land (công trình trên đất): what stands on a parcel's
//! donated strip — a wall, a gate, a house front, an awning, a yard, a
//! tree, a well — with its quantity, unit, an optional estimated value and
//! whether the household donates it.
//!
//! Kinds and units have a stable code (files, database, API) and a
//! Vietnamese label; both parse from either, ignoring case, spaces and
//! diacritics.
//!
//! ```
//! use hiendat::campaign::structures::{StructureKind, Unit};
//! assert_eq!("Tường rào".parse::<StructureKind>(), Ok(StructureKind::Wall));
//! assert_eq!("mai che".parse::<StructureKind>(), Ok(StructureKind::Awning));
//! assert_eq!("house_front".parse::<StructureKind>(), Ok(StructureKind::HouseFront));
//! assert_eq!("m²".parse::<Unit>(), Ok(Unit::M2));
//! assert_eq!(Unit::Item.label(), "cái");
//! ```

use super::{FeatureId, fold};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// What a structure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StructureKind {
    /// Tường rào: a fence or wall.
    Wall,
    /// Cổng.
    Gate,
    /// Mặt tiền nhà: the front of a house.
    HouseFront,
    /// Mái che / mái hiên: a roof or awning.
    Awning,
    /// Sân: a yard.
    Yard,
    /// Cây: a tree.
    Tree,
    /// Giếng: a well.
    Well,
    /// Khác: anything else.
    Other,
}

impl StructureKind {
    /// Every kind, in the order totals list them.
    pub const ALL: [StructureKind; 8] = [
        StructureKind::Wall,
        StructureKind::Gate,
        StructureKind::HouseFront,
        StructureKind::Awning,
        StructureKind::Yard,
        StructureKind::Tree,
        StructureKind::Well,
        StructureKind::Other,
    ];

    /// The code used in files, the database and the API.
    pub fn code(self) -> &'static str {
        match self {
            StructureKind::Wall => "wall",
            StructureKind::Gate => "gate",
            StructureKind::HouseFront => "house_front",
            StructureKind::Awning => "awning",
            StructureKind::Yard => "yard",
            StructureKind::Tree => "tree",
            StructureKind::Well => "well",
            StructureKind::Other => "other",
        }
    }

    /// The Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            StructureKind::Wall => "Tường rào",
            StructureKind::Gate => "Cổng",
            StructureKind::HouseFront => "Mặt tiền nhà",
            StructureKind::Awning => "Mái che / mái hiên",
            StructureKind::Yard => "Sân",
            StructureKind::Tree => "Cây",
            StructureKind::Well => "Giếng",
            StructureKind::Other => "Khác",
        }
    }

    /// The English name.
    pub fn english(self) -> &'static str {
        match self {
            StructureKind::Wall => "fence / wall",
            StructureKind::Gate => "gate",
            StructureKind::HouseFront => "house front",
            StructureKind::Awning => "roof / awning",
            StructureKind::Yard => "yard",
            StructureKind::Tree => "tree",
            StructureKind::Well => "well",
            StructureKind::Other => "other",
        }
    }

    /// Its position in [`StructureKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for StructureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A kind or unit that is none of the known codes or labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName(pub String);

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl std::error::Error for UnknownName {}

impl FromStr for StructureKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let f = fold(s);
        let k = match f.as_str() {
            "wall" | "fence" | "tuongrao" | "tuong" | "hangrao" => StructureKind::Wall,
            "gate" | "cong" => StructureKind::Gate,
            "housefront" | "mattiennha" | "mattien" => StructureKind::HouseFront,
            "awning" | "roof" | "maiche" | "maihien" | "maichemaihien" => StructureKind::Awning,
            "yard" | "san" => StructureKind::Yard,
            "tree" | "cay" | "caycoi" => StructureKind::Tree,
            "well" | "gieng" => StructureKind::Well,
            "other" | "khac" => StructureKind::Other,
            _ => return Err(UnknownName(s.trim().to_string())),
        };
        Ok(k)
    }
}

/// The unit a structure's quantity is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Metres (a wall's length).
    M,
    /// Square metres (a yard, an awning).
    M2,
    /// Items (cái: a gate, a tree).
    Item,
}

impl Unit {
    pub const ALL: [Unit; 3] = [Unit::M, Unit::M2, Unit::Item];

    /// The code used in files, the database and the API.
    pub fn code(self) -> &'static str {
        match self {
            Unit::M => "m",
            Unit::M2 => "m2",
            Unit::Item => "item",
        }
    }

    /// How Vietnamese writes it.
    pub fn label(self) -> &'static str {
        match self {
            Unit::M => "m",
            Unit::M2 => "m²",
            Unit::Item => "cái",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Unit {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_lowercase();
        let u = match t.as_str() {
            "m²" => Unit::M2,
            _ => match fold(&t).as_str() {
                "m" | "met" | "metre" | "meter" => Unit::M,
                "m2" | "sqm" | "metvuong" => Unit::M2,
                "item" | "items" | "cai" | "chiec" | "cay" | "pcs" | "pc" => Unit::Item,
                _ => return Err(UnknownName(s.trim().to_string())),
            },
        };
        Ok(u)
    }
}

/// A structure on a parcel, as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct StructureInput {
    /// The parcel's id, as in the parcels layer.
    pub parcel: FeatureId,
    pub kind: StructureKind,
    /// Positive.
    pub quantity: f64,
    pub unit: Unit,
    /// Estimated value in đồng, if given.
    pub value_vnd: Option<i64>,
    /// Whether the household donates it (hiến).
    pub donated: bool,
    /// The line of the file it came from, for error messages.
    pub line: Option<u64>,
}

/// The structures of a set of parcels: how many, how many donated, the
/// value of those donated, and how many of each kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StructureTally {
    pub structures: usize,
    pub donated: usize,
    /// Sum of the estimated values of the donated ones (those without a value count 0).
    pub donated_value_vnd: i64,
    /// Structures per kind, in [`StructureKind::ALL`] order.
    pub by_kind: [usize; 8],
}

/// The most one structure may be said to be worth: a thousand billion đồng.
/// Far above any wall or house front, and low enough that the values of
/// millions of structures add up without overflow.
pub const MAX_VALUE_VND: i64 = 1_000_000_000_000;

impl StructureTally {
    /// Adds `n` structures of `kind`, `donated` of them donated, worth `value_vnd`.
    pub fn add(&mut self, kind: StructureKind, n: usize, donated: usize, value_vnd: i64) {
        self.structures += n;
        self.donated += donated;
        // values are capped at the doors; saturating keeps a sum from
        // wrapping should a stored value ever exceed the cap
        self.donated_value_vnd = self.donated_value_vnd.saturating_add(value_vnd);
        self.by_kind[kind.index()] += n;
    }
}

/// What a structure is and how it stands: the values a change records in
/// full, the record prints and the figures count.
#[derive(Debug, Clone, PartialEq)]
pub struct StructureValues {
    pub kind: StructureKind,
    /// Positive when given (an import may leave it out).
    pub quantity: Option<f64>,
    pub unit: Option<Unit>,
    /// Estimated value in đồng, if given.
    pub value_vnd: Option<i64>,
    /// Marked as donated (hiến); it counts as donated on a day only once the
    /// household has reached agreement ([`crate::campaign::figures`]).
    pub donated: bool,
}

/// A structure as it stands, with its stable id (the store's row id, never
/// given to another structure).
#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    pub id: i64,
    pub values: StructureValues,
}

/// What a change of a structure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// The values a structure had before its first change, when it came
    /// from an import (CSV, demo): they hold from the beginning.
    Imported,
    /// Recorded as standing on the land from its effective date.
    Added,
    /// New values from its effective date.
    Edited,
    /// Gone from its effective date (demolished, recorded by mistake).
    Removed,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 4] = [
        ChangeKind::Imported,
        ChangeKind::Added,
        ChangeKind::Edited,
        ChangeKind::Removed,
    ];

    /// The code in the database and the API.
    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::Imported => "imported",
            ChangeKind::Added => "added",
            ChangeKind::Edited => "edited",
            ChangeKind::Removed => "removed",
        }
    }

    /// Its Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Imported => "Nhập từ tệp",
            ChangeKind::Added => "Thêm",
            ChangeKind::Edited => "Sửa",
            ChangeKind::Removed => "Xóa",
        }
    }
}

impl FromStr for ChangeKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChangeKind::ALL
            .into_iter()
            .find(|c| c.code() == s)
            .ok_or_else(|| UnknownName(s.to_string()))
    }
}

/// One change in a structure's history (append-only): the full values it
/// left the structure with, the day it took effect, when and by whom it
/// was entered.
#[derive(Debug, Clone, PartialEq)]
pub struct StructureChange {
    /// The change's own id (entry order).
    pub id: i64,
    /// The structure's stable id.
    pub structure: i64,
    pub what: ChangeKind,
    /// `None`: from the beginning ([`ChangeKind::Imported`]).
    pub effective: Option<NaiveDate>,
    pub values: StructureValues,
    /// RFC 3339, UTC.
    pub entered_at: String,
    pub entered_by: String,
    pub note: Option<String>,
}

/// The structures of one parcel as they stood at the end of `day`, by id.
///
/// A structure with no change on file (imported) stands from the beginning
/// as it is now; one with changes stands as its latest change effective on
/// or before `day` left it (later entries win on the same day), and not at
/// all before its first change, nor after a removal. `changes` are the
/// parcel's, in any order.
pub fn structures_on(
    current: &[Structure],
    changes: &[StructureChange],
    day: NaiveDate,
) -> Vec<Structure> {
    let mut latest: BTreeMap<i64, Option<&StructureChange>> = BTreeMap::new();
    for c in changes {
        let slot = latest.entry(c.structure).or_insert(None);
        if c.effective.is_some_and(|e| e > day) {
            continue;
        }
        let newer = |old: &StructureChange| (c.effective, c.id) > (old.effective, old.id);
        if slot.is_none_or(newer) {
            *slot = Some(c);
        }
    }
    let mut out: Vec<Structure> = current
        .iter()
        .filter(|s| !latest.contains_key(&s.id))
        .cloned()
        .collect();
    for (id, c) in latest {
        if let Some(c) = c.filter(|c| c.what != ChangeKind::Removed) {
            out.push(Structure {
                id,
                values: c.values.clone(),
            });
        }
    }
    out.sort_by_key(|s| s.id);
    out
}

/// The tally of a list of structures (those marked donated counted as
/// donated, with their value).
pub fn tally(list: &[Structure]) -> StructureTally {
    let mut t = StructureTally::default();
    for s in list {
        let v = &s.values;
        let donated = usize::from(v.donated);
        let value = if v.donated {
            v.value_vnd.unwrap_or(0)
        } else {
            0
        };
        t.add(v.kind, 1, donated, value);
    }
    t
}

/// A parcel's structures over time, as the figures count them: the tally
/// from the beginning, then the tally from each date a change took effect.
///
/// Every parcel of the read model holds one, and most hold none at all (a
/// million parcels, most of them unaffected): a land without structures is
/// one empty word, the others' tallies live behind it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StructureLine(Option<Box<Line>>);

#[derive(Debug, Clone, PartialEq)]
struct Line {
    /// Before any dated change.
    base: StructureTally,
    /// (date, tally from that date on), by date, one per date.
    changes: Box<[(NaiveDate, StructureTally)]>,
}

impl StructureLine {
    /// Structures that never changed: the same tally on every day.
    pub fn flat(t: StructureTally) -> StructureLine {
        StructureLine::with(t, Vec::new())
    }

    fn with(base: StructureTally, changes: Vec<(NaiveDate, StructureTally)>) -> StructureLine {
        if base == StructureTally::default() && changes.is_empty() {
            return StructureLine(None);
        }
        StructureLine(Some(Box::new(Line {
            base,
            changes: changes.into_boxed_slice(),
        })))
    }

    /// The line of a parcel's structures now and their changes.
    pub fn of(current: &[Structure], changes: &[StructureChange]) -> StructureLine {
        if changes.is_empty() {
            return StructureLine::flat(tally(current));
        }
        let mut dates: Vec<NaiveDate> = changes.iter().filter_map(|c| c.effective).collect();
        dates.sort();
        dates.dedup();
        StructureLine::with(
            tally(&structures_on(current, changes, NaiveDate::MIN)),
            dates
                .into_iter()
                .map(|d| (d, tally(&structures_on(current, changes, d))))
                .collect(),
        )
    }

    /// The tally before any dated change.
    pub fn base(&self) -> StructureTally {
        self.0.as_ref().map(|l| l.base).unwrap_or_default()
    }

    fn changes(&self) -> &[(NaiveDate, StructureTally)] {
        self.0.as_ref().map_or(&[], |l| &l.changes)
    }

    /// The tally at the end of `day`.
    pub fn on(&self, day: NaiveDate) -> StructureTally {
        let changes = self.changes();
        let i = changes.partition_point(|(d, _)| *d <= day);
        if i == 0 {
            self.base()
        } else {
            changes[i - 1].1
        }
    }

    /// The dates on which the tally changes, up to `until`.
    pub fn dates_until(&self, until: NaiveDate) -> impl Iterator<Item = NaiveDate> + '_ {
        self.changes()
            .iter()
            .map(|(d, _)| *d)
            .take_while(move |d| *d <= until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_codes_and_vietnamese_labels_with_or_without_diacritics() {
        for k in StructureKind::ALL {
            assert_eq!(k.code().parse::<StructureKind>(), Ok(k));
            assert_eq!(k.label().parse::<StructureKind>(), Ok(k), "{}", k.label());
            assert_eq!(k.label().to_uppercase().parse::<StructureKind>(), Ok(k));
        }
        assert_eq!("tuong rao".parse(), Ok(StructureKind::Wall));
        assert_eq!("Mái hiên".parse(), Ok(StructureKind::Awning));
        assert_eq!("GIENG".parse(), Ok(StructureKind::Well));
        assert_eq!("Mat tien nha".parse(), Ok(StructureKind::HouseFront));
        assert_eq!(
            "nhà kho".parse::<StructureKind>(),
            Err(UnknownName("nhà kho".into()))
        );
    }

    #[test]
    fn units_parse_from_codes_and_labels() {
        for u in Unit::ALL {
            assert_eq!(u.code().parse::<Unit>(), Ok(u));
            assert_eq!(u.label().parse::<Unit>(), Ok(u));
        }
        assert_eq!("M2".parse(), Ok(Unit::M2));
        assert_eq!("Cái".parse(), Ok(Unit::Item));
        assert!("km".parse::<Unit>().is_err());
    }

    #[test]
    fn a_tally_counts_per_kind() {
        let mut t = StructureTally::default();
        t.add(StructureKind::Gate, 2, 1, 3_000_000);
        t.add(StructureKind::Tree, 1, 0, 0);
        assert_eq!(t.structures, 3);
        assert_eq!(t.donated, 1);
        assert_eq!(t.donated_value_vnd, 3_000_000);
        assert_eq!(t.by_kind[StructureKind::Gate.index()], 2);
        assert_eq!(t.by_kind[StructureKind::Tree.index()], 1);
    }

    fn wall(id: i64, donated: bool) -> Structure {
        Structure {
            id,
            values: StructureValues {
                kind: StructureKind::Wall,
                quantity: Some(12.0),
                unit: Some(Unit::M),
                value_vnd: Some(5_000_000),
                donated,
            },
        }
    }

    fn change(
        id: i64,
        what: ChangeKind,
        effective: Option<&str>,
        s: &Structure,
    ) -> StructureChange {
        StructureChange {
            id,
            structure: s.id,
            what,
            effective: effective.map(|d| d.parse().unwrap()),
            values: s.values.clone(),
            entered_at: "2026-11-20T03:00:00Z".into(),
            entered_by: "lan".into(),
            note: None,
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_wall_added_then_marked_donated_is_replayed_day_by_day() {
        // added 01/11 (kept), marked donated 10/11; a gate imported, never changed
        let kept = wall(7, false);
        let given = wall(7, true);
        let mut gate = wall(3, false);
        gate.values.kind = StructureKind::Gate;
        let changes = vec![
            change(1, ChangeKind::Added, Some("2026-11-01"), &kept),
            change(2, ChangeKind::Edited, Some("2026-11-10"), &given),
        ];
        let current = vec![gate.clone(), given.clone()];
        assert_eq!(
            structures_on(&current, &changes, d("2026-10-31")),
            vec![gate.clone()]
        );
        assert_eq!(
            structures_on(&current, &changes, d("2026-11-05")),
            vec![gate.clone(), kept]
        );
        assert_eq!(
            structures_on(&current, &changes, d("2026-11-15")),
            vec![gate, given]
        );
        let line = StructureLine::of(&current, &changes);
        let (before, on5, on15) = (
            line.on(d("2026-10-31")),
            line.on(d("2026-11-05")),
            line.on(d("2026-11-15")),
        );
        assert_eq!((before.structures, before.donated), (1, 0));
        assert_eq!((on5.structures, on5.donated), (2, 0));
        assert_eq!(
            (on15.structures, on15.donated, on15.donated_value_vnd),
            (2, 1, 5_000_000)
        );
        assert_eq!(line.on(NaiveDate::MAX), tally(&current));
        assert_eq!(
            line.dates_until(d("2026-11-05")).collect::<Vec<_>>(),
            vec![d("2026-11-01")]
        );
    }

    #[test]
    fn an_imported_structure_keeps_its_first_values_until_its_first_change_and_is_gone_after_removal()
     {
        let imported = wall(4, false);
        let marked = wall(4, true);
        let changes = vec![
            change(1, ChangeKind::Imported, None, &imported),
            change(2, ChangeKind::Edited, Some("2026-11-10"), &marked),
            change(3, ChangeKind::Removed, Some("2026-11-20"), &marked),
        ];
        // removed: no longer among the current rows
        let line = StructureLine::of(&[], &changes);
        assert_eq!(line.on(d("2000-01-01")).structures, 1);
        assert_eq!(line.on(d("2026-11-09")).donated, 0);
        assert_eq!(line.on(d("2026-11-10")).donated, 1);
        assert_eq!(line.on(d("2026-11-20")).structures, 0);
    }

    #[test]
    fn a_land_without_structures_holds_no_tally_and_counts_none_on_any_day() {
        assert_eq!(
            std::mem::size_of::<StructureLine>(),
            std::mem::size_of::<usize>()
        );
        let none = StructureLine::of(&[], &[]);
        assert_eq!(none, StructureLine::default());
        assert!(none.0.is_none(), "nothing kept for an empty land");
        assert_eq!(none.on(d("2026-11-10")), StructureTally::default());
        assert_eq!(none.dates_until(NaiveDate::MAX).count(), 0);
        let one = StructureLine::of(&[wall(2, true)], &[]);
        assert!(one.0.is_some());
        assert_eq!(one.base(), one.on(d("2026-11-10")));
        assert_eq!((one.base().structures, one.base().donated), (1, 1));
    }

    #[test]
    fn of_two_changes_on_one_day_the_later_entry_counts() {
        let a = wall(1, true);
        let b = wall(1, false);
        let changes = vec![
            change(1, ChangeKind::Added, Some("2026-11-10"), &a),
            change(2, ChangeKind::Edited, Some("2026-11-10"), &b),
        ];
        assert_eq!(
            structures_on(std::slice::from_ref(&b), &changes, d("2026-11-10")),
            vec![b]
        );
    }
}
