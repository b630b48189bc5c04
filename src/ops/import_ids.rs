//! Ids an import refuses before it writes anything: two features of a file
//! whose ids the store would take for one.

use super::{ImportError, ImportInput, PositionIds};
use crate::campaign::FeatureId;
use crate::geometry::validate::{Issue, Layer, Reason};
use crate::store::ImportTx;
use std::collections::HashMap;

/// Features whose id reads the same as an earlier feature's of the same
/// layer although the two differ in kind: the number `1` and the text `"1"`.
/// The validator tells them apart (it compares ids as written); the store
/// keys rows by the id's text, so both would land on one row, the second
/// silently overwriting the first. Named as the validator names a repeated
/// id, with the first feature's position.
pub(super) fn same_text(input: &ImportInput) -> Vec<Issue> {
    let mut out = clashes(Layer::Segment, input.segments.iter().map(|s| &s.id));
    out.extend(clashes(Layer::Parcel, input.parcels.iter().map(|p| &p.id)));
    out
}

fn clashes<'a>(layer: Layer, ids: impl Iterator<Item = &'a FeatureId>) -> Vec<Issue> {
    let mut first: HashMap<&str, (usize, &FeatureId)> = HashMap::new();
    let mut out = Vec::new();
    for (index, id) in ids.enumerate() {
        let &mut (at, seen) = first.entry(id.as_str()).or_insert((index, id));
        // the same id written twice the same way: the validator's to name
        if at != index && seen != id {
            out.push(Issue {
                layer,
                id: id.clone(),
                index,
                reason: Reason::DuplicateId { first: at },
                at: None,
            });
        }
    }
    out
}

/// Refuses a partial import (one layer alone) whose ids are the file's
/// positions 1..N when any of them names a stored feature of that layer:
/// the file's third shape would replace stored parcel 3, its events and
/// households kept on a stranger's land. A full import may (the same file
/// imported again names the same features), and so may positions that meet
/// nothing stored.
pub(super) fn positions_meet_stored(
    tx: &ImportTx,
    input: &ImportInput,
    positions: PositionIds,
) -> Result<(), ImportError> {
    let parcels = match (input.segments.is_empty(), input.parcels.is_empty()) {
        (true, false) if positions.parcels => true,
        (false, true) if positions.segments => false,
        _ => return Ok(()),
    };
    let ids: Vec<&str> = if parcels {
        input.parcels.iter().map(|p| p.id.as_str()).collect()
    } else {
        input.segments.iter().map(|s| s.id.as_str()).collect()
    };
    let stored = tx.stored_among(parcels, ids.iter().copied())?;
    if stored.is_empty() {
        return Ok(());
    }
    let (vi, en, vi_more, en_more) = if parcels {
        (
            "thửa đất",
            "parcels",
            " hoặc số thửa không trùng",
            " or unique parcel numbers",
        )
    } else {
        ("đoạn tuyến", "segments", "", "")
    };
    let mut list = stored
        .iter()
        .take(LISTED)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if stored.len() > LISTED {
        list.push_str(", …");
    }
    let (n, k) = (ids.len(), stored.len());
    Err(ImportError::PositionIds(format!(
        "tệp {vi} không có mã: mã là số thứ tự 1..{n} của đối tượng trong tệp, và {k} mã trùng {vi} đã lưu ({list}); nhập riêng sẽ ghi đè lên chúng (cùng sự kiện, hộ gia đình của chúng). Hãy cho tệp mã thật (--field id=TRƯỜNG){vi_more}; không ghi gì / the {en} file has no ids: its features are numbered 1..{n} by position, and {k} of those are stored {en}' ids ({list}); imported alone they would overwrite those {en} (with their events and households). Give the file real ids (--field id=FIELD){en_more}; nothing written"
    )))
}

/// How many clashing ids the refusal lists.
const LISTED: usize = 10;
