//! The demo ward's plans (kế hoạch, chỉ tiêu, mốc): one per party cell and
//! one for each of the first road segments, set two months ago, with
//! milestones chosen from the ward's own history so that the "Kế hoạch"
//! section tells its story at first sight — an early milestone met, a
//! recent one met by half the cells and missed (overdue) by the others, a
//! last one still ahead.

use crate::campaign::events::Status;
use crate::campaign::figures::Ward;
use crate::campaign::plans::{self, AreaKind, Milestone, PlanArea, PlanDraft, Tallies};
use crate::store::{Result, Store};
use chrono::{Days, NaiveDate};

/// How many segments get a plan of their own.
const SEGMENT_PLANS: usize = 3;

fn agreed(t: &mut Tallies, a: &PlanArea, day: NaiveDate) -> (u32, f64, u32, f64) {
    let x = t.of(a, day).unwrap_or_default();
    (
        x.reached(Status::Agreed) as u32,
        x.handed_over_area_m2,
        x.affected as u32,
        x.donated_area_m2,
    )
}

/// Adds the demo plans for `ward` as it stands on `today`.
pub fn add(store: &mut Store, ward: &Ward, today: NaiveDate) -> Result<usize> {
    let mut t = Tallies::new(ward);
    let set_on = today - Days::new(60);
    let at = format!("{set_on}T08:00:00+07:00");
    let mut drafts = Vec::new();
    for (i, c) in ward.cells.iter().enumerate() {
        let area = PlanArea {
            kind: AreaKind::Cell,
            code: c.code.clone(),
        };
        let (early, _, _, _) = agreed(&mut t, &area, today - Days::new(45));
        let (now, _, affected, to_donate) = agreed(&mut t, &area, today);
        if affected == 0 {
            continue;
        }
        // half the cells promised more than they did
        let recent = if i % 2 == 0 {
            now
        } else {
            (now + (affected / 10).max(2)).min(affected)
        };
        drafts.push(PlanDraft {
            area,
            area_name: String::new(),
            title: format!("Kế hoạch vận động hiến đất của {}", c.name),
            note: Some(
                "Đăng ký với Đảng ủy tại hội nghị sơ kết / registered with the ward committee"
                    .into(),
            ),
            milestones: vec![
                Milestone {
                    due: today - Days::new(45),
                    households: Some(early),
                    area_m2: None,
                },
                Milestone {
                    due: today - Days::new(10),
                    households: Some(recent.max(early)),
                    area_m2: None,
                },
                Milestone {
                    due: today + Days::new(60),
                    households: Some(affected),
                    area_m2: Some((to_donate * 0.9).floor()),
                },
            ],
        });
    }
    for s in ward.segments.iter().take(SEGMENT_PLANS) {
        let area = PlanArea {
            kind: AreaKind::Segment,
            code: s.id.clone(),
        };
        let (_, handed, _, to_donate) = agreed(&mut t, &area, today);
        if to_donate <= 0.0 {
            continue;
        }
        drafts.push(PlanDraft {
            area,
            area_name: String::new(),
            title: format!("Bàn giao mặt bằng {}", s.name),
            note: None,
            milestones: vec![Milestone {
                due: today + Days::new(30),
                households: None,
                area_m2: Some((handed.max(to_donate * 0.8)).floor()),
            }],
        });
    }
    let mut n = 0;
    for mut d in drafts {
        // a draft the ward's own rules refuse is left out, not forced in
        if plans::check_with(ward, &mut d, &mut t).is_ok() {
            store.add_plan(&d, "canbo.lan", &at)?;
            n += 1;
        }
    }
    Ok(n)
}
