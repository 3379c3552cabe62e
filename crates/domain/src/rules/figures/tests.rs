use super::*;
use crate::rules::member_builtins;

/// Every built-in set passes its own checks, and every figure of it has a source.
#[test]
fn builtin_member_sets_are_valid_and_cited() {
    for b in member_builtins() {
        check(&b.rules).unwrap_or_else(|e| panic!("{}: {e:?}", b.code));
        for f in figures(&b.rules) {
            assert!(!f.value.is_empty() && !f.input.is_empty(), "{}", f.key);
        }
    }
}

/// What the form shows, typed back unchanged, gives the same set.
#[test]
fn the_form_round_trips() {
    let r = MemberRules::default();
    let values: BTreeMap<String, String> = figures(&r)
        .into_iter()
        .map(|f| (f.key.to_string(), f.input))
        .collect();
    assert_eq!(with_inputs(&r, &values, &BTreeMap::new()).unwrap(), r);
}

#[test]
fn typed_figures_are_checked() {
    let r = MemberRules::default();
    let one = |k: &str, v: &str| BTreeMap::from([(k.to_string(), v.to_string())]);
    let changed = with_inputs(&r, &one("admission.vote", ">1/2"), &BTreeMap::new()).unwrap();
    assert_eq!(changed.admission.vote.text(), "quá một nửa");
    let changed = with_inputs(
        &r,
        &one("working_days.weekly_days_off", "cn"),
        &BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(changed.working_days.weekly_days_off, vec![Weekday::Sun]);
    let changed = with_inputs(
        &r,
        &one("badges.occasions", "19/5 Sinh nhật Bác; 3/2 Thành lập Đảng"),
        &BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(changed.badges.occasions[0].month, 2, "sorted by date");
    for (k, v, field) in [
        ("admission.max_age", "10", "figures.admission.max_age"),
        ("admission.vote", "4/3", "figures.admission.vote"),
        ("admission.vote", "0/3", "figures.admission.vote"),
        ("admission.vote", ">100%", "figures.admission.vote"),
        ("admission.vote", "1/0", "figures.admission.vote"),
        (
            "classification.excellent_quota",
            ">20%",
            "figures.classification.excellent_quota",
        ),
        (
            "badges.occasions",
            "29/2 Ngày nhuận",
            "figures.badges.occasions",
        ),
        ("badges.milestones", "40, 30", "figures.badges.milestones"),
        (
            "badges.occasions",
            "31/2 Không có",
            "figures.badges.occasions",
        ),
        (
            "working_days.weekly_days_off",
            "T8",
            "figures.working_days.weekly_days_off",
        ),
        (
            "classification.good_from",
            "95",
            "figures.classification.good_from",
        ),
        ("nothing.here", "1", "figures.nothing.here"),
    ] {
        let err = with_inputs(&r, &one(k, v), &BTreeMap::new()).unwrap_err();
        assert_eq!(err.errors[0].field, field, "{k}={v}: {err:?}");
    }
    let err = with_inputs(&r, &BTreeMap::new(), &one("admission.vote", " ")).unwrap_err();
    assert_eq!(err.errors[0].field, "sources.admission.vote");
}

#[test]
fn the_basis_names_the_figure_and_its_text() {
    let r = MemberRules::default();
    let b = r.basis("admission.decide_within_working_days");
    assert!(
        b.starts_with("60 ngày làm việc (") && b.contains("294-QĐ/TW"),
        "{b}"
    );
}
