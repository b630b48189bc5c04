//! How far a user's role reaches among the ward's households: the whole
//! ward (planning staff, the committees), one party cell (its secretary),
//! or the households assigned to one party member (the field worker).
//! Derived once per request from the user; the doors apply it wherever a
//! household's names or sensitive data leave the server, and before every
//! write on a household. Plain data and the rule on it; no I/O (the store
//! finds the parcels: `Store::scope_of`).

use std::collections::HashSet;

/// The households (parcel row ids) a user may read by name and act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every household of the ward.
    Ward,
    /// A party cell's: the parcels of the residential groups it covers, the
    /// households assigned today to its members and its members' own.
    Cell {
        /// The cell's code.
        cell: String,
        parcels: HashSet<i64>,
    },
    /// The households assigned today to one party member (and their own).
    Assigned {
        /// The member's code.
        member: String,
        /// The member's cell's code.
        cell: String,
        parcels: HashSet<i64>,
    },
}

impl Scope {
    /// Whether the household of the parcel (row id) is within the scope.
    pub fn covers(&self, parcel: i64) -> bool {
        match self {
            Scope::Ward => true,
            Scope::Cell { parcels, .. } | Scope::Assigned { parcels, .. } => {
                parcels.contains(&parcel)
            }
        }
    }

    /// Whether the scope is the whole ward.
    pub fn is_ward(&self) -> bool {
        matches!(self, Scope::Ward)
    }

    /// Whether the user may act on the party cell `code` as a whole (its
    /// plans, its organisation): the ward's roles on every cell, a
    /// secretary on their own; a member on none.
    pub fn covers_cell(&self, code: &str) -> bool {
        match self {
            Scope::Ward => true,
            Scope::Cell { cell, .. } => cell == code,
            Scope::Assigned { .. } => false,
        }
    }

    /// Whether the party member `code` of the cell `member_cell` is within
    /// the scope: every member for the ward's roles, the cell's members for
    /// its secretary, themselves for a member.
    pub fn covers_member(&self, code: &str, member_cell: &str) -> bool {
        match self {
            Scope::Ward => true,
            Scope::Cell { cell, .. } => cell == member_cell,
            Scope::Assigned { member, .. } => member == code,
        }
    }

    /// A word for the scope, for `GET /api/me`: `ward`, `cell`, `assigned`.
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::Ward => "ward",
            Scope::Cell { .. } => "cell",
            Scope::Assigned { .. } => "assigned",
        }
    }

    /// The parcels (row ids) of a scoped role, sorted; `None` for the ward.
    pub fn parcels(&self) -> Option<Vec<i64>> {
        match self {
            Scope::Ward => None,
            Scope::Cell { parcels, .. } | Scope::Assigned { parcels, .. } => {
                let mut v: Vec<i64> = parcels.iter().copied().collect();
                v.sort_unstable();
                Some(v)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_covers_its_households_its_members_and_itself_only() {
        let s = Scope::Cell {
            cell: "CB01".into(),
            parcels: [1, 2].into(),
        };
        assert!(s.covers(1) && s.covers(2) && !s.covers(3));
        assert!(s.covers_cell("CB01") && !s.covers_cell("CB02"));
        assert!(s.covers_member("DV09", "CB01") && !s.covers_member("DV01", "CB02"));
        assert!(!s.is_ward());
    }

    #[test]
    fn a_member_covers_the_assigned_households_and_no_cell() {
        let s = Scope::Assigned {
            member: "DV01".into(),
            cell: "CB01".into(),
            parcels: [7].into(),
        };
        assert!(s.covers(7) && !s.covers(8));
        assert!(!s.covers_cell("CB01"), "a member edits no cell");
        assert!(s.covers_member("DV01", "CB01") && !s.covers_member("DV02", "CB01"));
        assert_eq!(s.parcels(), Some(vec![7]));
    }

    #[test]
    fn the_ward_covers_everything() {
        let s = Scope::Ward;
        assert!(s.covers(123) && s.covers_cell("X") && s.covers_member("A", "B"));
        assert_eq!((s.kind(), s.parcels()), ("ward", None));
    }
}
