//! The demo's inspections (kiểm tra, giám sát): the Inspection Committee
//! inspected the members hiendat proposes (from the read model, so the
//! story matches the figures) and a party cell, with findings, required
//! actions and their follow-up; one action is overdue on the demo's day.

use crate::campaign::figures::Ward;
use crate::campaign::inspection::{InspectionKind, InspectionValues, SubjectKind, proposals};
use crate::store::{Store, StoreError};
use chrono::{Days, NaiveDate};

/// Who entered the demo's inspections.
pub const AUTHOR: &str = "ukt.hoa";

/// Records the demo's inspections of `ward` (its facts as stored) as of
/// `today`; returns how many.
pub fn add(store: &mut Store, ward: &Ward, today: NaiveDate) -> Result<usize, StoreError> {
    let ago = |n: u64| today - Days::new(n);
    let later = |n: u64| today + Days::new(n);
    // proposed 45 days ago: inspected 40 days ago
    let proposed = proposals(ward, ago(45), 30, &[]);
    let mut n = 0;
    if let Some(p) = proposed.first() {
        let reasons: Vec<String> = p.reasons.iter().map(|r| r.text()).collect();
        let v = InspectionValues {
            subject_kind: SubjectKind::Member,
            subject_code: p.code.clone(),
            kind: InspectionKind::Inspection,
            held_on: ago(40),
            scope: "Việc thực hiện nhiệm vụ được phân công vận động các hộ hiến đất; trách nhiệm nêu gương của gia đình đảng viên.".into(),
            findings: format!(
                "Đề xuất kiểm tra vì: {}. Đồng chí chưa thường xuyên đến các hộ được phân công.",
                reasons.join("; ")
            ),
            conclusion: "Có khuyết điểm, cần rút kinh nghiệm; yêu cầu khắc phục trong thời hạn.".into(),
        };
        let i = store.add_inspection(
            &v,
            &[
                (
                    "Lập lịch đến từng hộ được phân công, báo cáo chi bộ.".into(),
                    ago(30),
                ),
                ("Vận động gia đình mình thực hiện trước.".into(), ago(10)),
            ],
            AUTHOR,
        )?;
        // the first one done in time, the second still not: overdue
        let a = &i.actions[0];
        store.follow_up_action(
            i.id,
            a.id,
            a.version,
            "Đã gửi lịch và đến đủ các hộ; chi bộ xác nhận.",
            Some(ago(28)),
            AUTHOR,
        )?;
        let b = &i.actions[1];
        store.follow_up_action(
            i.id,
            b.id,
            b.version,
            "Đã nhắc lần 1; gia đình chưa đồng ý.",
            None,
            AUTHOR,
        )?;
        n += 1;
    }
    if let Some(p) = proposed.get(1) {
        let v = InspectionValues {
            subject_kind: SubjectKind::Member,
            subject_code: p.code.clone(),
            kind: InspectionKind::Supervision,
            held_on: ago(12),
            scope: "Giám sát thường xuyên việc tiếp xúc các hộ được phân công.".into(),
            findings: p
                .reasons
                .iter()
                .map(|r| r.text())
                .collect::<Vec<_>>()
                .join("; "),
            conclusion: String::new(),
        };
        store.add_inspection(
            &v,
            &[(
                "Báo cáo kết quả tiếp xúc từng hộ với chi bộ.".into(),
                later(18),
            )],
            AUTHOR,
        )?;
        n += 1;
    }
    if let Some(cell) = ward.cells.first() {
        let v = InspectionValues {
            subject_kind: SubjectKind::Cell,
            subject_code: cell.code.clone(),
            kind: InspectionKind::Inspection,
            held_on: ago(20),
            scope: "Lãnh đạo, chỉ đạo của chi bộ đối với cuộc vận động hiến đất mở rộng đường."
                .into(),
            findings:
                "Chi bộ đã phân công đảng viên phụ trách từng hộ; sinh hoạt chuyên đề chưa đều."
                    .into(),
            conclusion: "Thực hiện tốt; cần duy trì sinh hoạt chuyên đề hằng tháng.".into(),
        };
        let i = store.add_inspection(
            &v,
            &[("Sinh hoạt chuyên đề về cuộc vận động.".into(), ago(5))],
            AUTHOR,
        )?;
        let a = &i.actions[0];
        store.follow_up_action(
            i.id,
            a.id,
            a.version,
            "Đã sinh hoạt chuyên đề, có biên bản.",
            Some(ago(7)),
            AUTHOR,
        )?;
        n += 1;
    }
    Ok(n)
}
