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

impl StructureTally {
    /// Adds `n` structures of `kind`, `donated` of them donated, worth `value_vnd`.
    pub fn add(&mut self, kind: StructureKind, n: usize, donated: usize, value_vnd: i64) {
        self.structures += n;
        self.donated += donated;
        self.donated_value_vnd += value_vnd;
        self.by_kind[kind.index()] += n;
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
}
