use super::*;
use crate::dedup::{DedupStatus, DuplicateKind};
use crate::normalize::Quality;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_450_000_000_000;

fn article(title: &str, text: &str) -> Article {
    Article {
        text: text.into(),
        title: Some(title.into()),
        published_at: None,
        published_at_source: None,
        authors: vec![],
        agencies: vec![],
        site_name: None,
        url: None,
        canonical_url: None,
        language: Some("en".into()),
        word_count: text.split_whitespace().count(),
        quality: Quality { is_article: true },
    }
}

fn kerry(i: usize) -> Article {
    article(
        &format!("Kerry meets Putin and Lavrov in Moscow on Syria ({i})"),
        "U.S. Secretary of State John Kerry met Russian President Vladimir Putin and Foreign \
         Minister Sergei Lavrov in Moscow to narrow differences over Syria and the role of \
         Bashar al-Assad. Kerry said the talks made real progress toward a ceasefire in Syria. \
         Lavrov said the Kremlin wanted more cooperation against Islamic State.",
    )
}

fn quake(i: usize) -> Article {
    article(
        &format!("Magnitude 6.1 earthquake strikes Aceh province in Indonesia ({i})"),
        "A magnitude 6.1 earthquake struck Indonesia's Aceh province, killing six children and \
         injuring dozens as buildings collapsed in Bener Meriah. The quake hit the region that \
         was devastated by the 2004 tsunami, the meteorology agency in Jakarta said. Rescuers \
         searched the rubble in Aceh.",
    )
}

fn unique() -> Verdict {
    Verdict::unique()
}

fn ids(t: &mut EventTracker, pages: &[(String, Article, i64)]) -> Vec<(String, Vec<StateEntry>)> {
    pages
        .iter()
        .map(|(id, a, at)| {
            let r = t.assign(id, a, &unique(), "src", *at);
            (r.event.id, r.state)
        })
        .collect()
}

#[test]
fn same_story_joins_and_other_story_opens() {
    let mut t = EventTracker::new(EventConfig::default());
    let a = t.assign("p1", &kerry(1), &unique(), "s1", T0);
    assert!(a.event.is_new);
    let b = t.assign("p2", &kerry(2), &unique(), "s2", T0 + 3_600_000);
    assert_eq!(b.event.id, a.event.id);
    assert!(!b.event.is_new);
    let c = t.assign("p3", &quake(1), &unique(), "s1", T0 + 7_200_000);
    assert_ne!(c.event.id, a.event.id);
    assert!(c.event.is_new);
    let s = b.summary.unwrap();
    assert_eq!(s.article_count, 2);
    assert_eq!(s.source_count, 2);
    assert_eq!(s.first_seen_ms, T0);
    assert!(s.entities.people.iter().any(|p| p == "John Kerry"), "{s:?}");
    assert!(s.entities.places.iter().any(|p| p == "Moscow"), "{s:?}");
    assert!(s.label.unwrap().starts_with("Kerry meets"));
    assert_eq!(a.event.id, event_id(xxh3_64(b"p1")));
    assert_eq!(t.active(), 2);
}

#[test]
fn same_story_months_apart_is_another_event() {
    let mut t = EventTracker::new(EventConfig {
        window_days: 400.0,
        ..EventConfig::default()
    });
    let mut a1 = kerry(1);
    a1.published_at = chrono::DateTime::from_timestamp_millis(T0).map(|d| d.fixed_offset());
    a1.published_at_source = Some(DateSource::Meta);
    let mut a2 = kerry(2);
    a2.published_at =
        chrono::DateTime::from_timestamp_millis(T0 + 120 * DAY).map(|d| d.fixed_offset());
    a2.published_at_source = Some(DateSource::Meta);
    let e1 = t.assign("p1", &a1, &unique(), "s", T0).event;
    let e2 = t.assign("p2", &a2, &unique(), "s", T0 + 120 * DAY).event;
    assert_ne!(e1.id, e2.id);
}

#[test]
fn duplicates_join_their_original() {
    let mut t = EventTracker::new(EventConfig::default());
    let a = t.assign("p1", &kerry(1), &unique(), "s", T0).event;
    t.assign("p2", &quake(1), &unique(), "s", T0);
    let dup = Verdict {
        status: DedupStatus::Duplicate,
        kind: Some(DuplicateKind::Near),
        duplicate_of: Some("p1".into()),
        similarity: Some(0.9),
    };
    // Even with unrelated text, the copy follows its original.
    let r = t.assign("p3", &quake(2), &dup, "s", T0 + 1);
    assert_eq!(r.event.id, a.id);
    assert_eq!(r.summary.unwrap().article_count, 2);
}

#[test]
fn redelivery_keeps_the_event_and_changes_nothing() {
    let mut t = EventTracker::new(EventConfig::default());
    let first = t.assign("p1", &kerry(1), &unique(), "s", T0);
    t.assign("p2", &quake(1), &unique(), "s", T0 + 1);
    let again = t.assign("p1", &kerry(1), &unique(), "s", T0 + 2);
    assert_eq!(again.event, first.event);
    assert!(again.summary.is_none() && again.state.is_empty());

    // After a restart: a fresh tracker that replayed the state log.
    let mut log: Vec<StateEntry> = first.state.clone();
    let mut t2 = EventTracker::new(EventConfig::default());
    let p2 = t.summaries();
    for e in &log {
        t2.apply(e);
    }
    let again = t2.assign("p1", &quake(3), &unique(), "s", T0 + 3);
    assert_eq!(again.event, first.event);
    log.clear();
    assert_eq!(p2.len(), 2);
}

#[test]
fn replayed_state_equals_live_state() {
    let mut live = EventTracker::new(EventConfig::default());
    let mut log = Vec::new();
    for i in 0..6 {
        let a = if i % 2 == 0 { kerry(i) } else { quake(i) };
        let r = live.assign(
            &format!("p{i}"),
            &a,
            &unique(),
            &format!("s{i}"),
            T0 + i as i64 * 60_000,
        );
        log.extend(r.state);
    }
    let mut replica = EventTracker::new(EventConfig::default());
    for e in &log {
        replica.apply(e);
    }
    // Idempotent: applying everything again changes nothing.
    for e in &log {
        replica.apply(e);
    }
    assert_eq!(replica.summaries(), live.summaries());
    assert_eq!(replica.active(), 2);
    let a = live.assign("next", &kerry(9), &unique(), "s", T0 + DAY);
    let b = replica.assign("next", &kerry(9), &unique(), "s", T0 + DAY);
    assert_eq!(a.event, b.event);
    assert_eq!(a.summary, b.summary);
    // An older entry of an event never rolls it back.
    let first_kerry = log
        .iter()
        .find(|e| !e.key.starts_with("d:"))
        .unwrap()
        .clone();
    replica.apply(&first_kerry);
    assert_eq!(replica.summaries(), live.summaries());
}

#[test]
fn events_close_by_window_and_count() {
    let mut t = EventTracker::new(EventConfig {
        window_days: 2.0,
        ..EventConfig::default()
    });
    let old = t.assign("p1", &kerry(1), &unique(), "s", T0).event;
    t.assign("p2", &quake(1), &unique(), "s", T0 + 3 * DAY);
    assert_eq!(t.active(), 1, "the Kerry event is past the window");
    assert!(t.summary(&old.id).is_none());
    // Its pages are forgotten too, and a late copy of the story opens a new event.
    let late = t.assign("p3", &kerry(2), &unique(), "s", T0 + 3 * DAY);
    assert_ne!(late.event.id, old.id);

    let mut t = EventTracker::new(EventConfig {
        max_active_events: 3,
        ..EventConfig::default()
    });
    for i in 0..10 {
        let a = article(
            &format!("Story number {i} about Topic{i}"),
            &format!("Zorblax{i} visited Quintar{i} and met Vellum{i} at Harbor{i} on Tuesday."),
        );
        t.assign(&format!("p{i}"), &a, &unique(), "s", T0 + i as i64);
    }
    assert_eq!(t.active(), 3);
    assert_eq!(t.created(), 10);
    // Stale replicated state past the window is ignored.
    let mut t = EventTracker::new(EventConfig {
        window_days: 2.0,
        ..EventConfig::default()
    });
    let r = EventTracker::new(EventConfig::default())
        .assign("x", &kerry(1), &unique(), "s", T0)
        .state;
    t.assign("p2", &quake(1), &unique(), "s", T0 + 5 * DAY);
    for e in &r {
        t.apply(e);
    }
    assert_eq!(t.active(), 1);
}

#[test]
fn hostile_state_entries_are_ignored() {
    let mut t = EventTracker::new(EventConfig::default());
    for (key, value) in [
        ("e-zz", serde_json::json!({"n": 1})),
        ("e-0000000000000001", serde_json::json!("nonsense")),
        ("d:x", serde_json::json!({"e": "bad", "t": 0})),
        (
            "e-0000000000000002",
            serde_json::json!({"n": 3, "f": [T0, T0], "t": "!!notbase64"}),
        ),
    ] {
        t.apply(&StateEntry {
            stage: STATE_STAGE.into(),
            key: key.into(),
            value: value.into(),
        });
    }
    assert_eq!(t.active(), 1);
    let _ = ids(&mut t, &[("p".into(), kerry(1), T0)]);
}

#[test]
fn entity_penalties_and_size_gain_scale_similarity() {
    let t = EventTracker::new(EventConfig {
        page_entity_penalty: 0.5,
        event_entity_penalty: 0.25,
        size_rho: 0.25,
        ..EventConfig::default()
    });
    let o = Overlap {
        dot: 0.6,
        ent_dot: 0.1,
        a_ent_hit: 1.0,
        b_ent_hit: 0.0,
    };
    // Half of the page's entity weight is missing (x 0.75), all of the event's (x 0.75).
    let sim = t.blend(&o, (1.0, 2.0), (1.0, 1.0));
    assert!((sim - 0.6 * 0.75 * 0.75).abs() < 1e-6, "{sim}");
    // No entities on either side: the cosine alone.
    assert_eq!(t.blend(&o, (0.0, 0.0), (0.0, 0.0)), 0.6);

    let mut t = EventTracker::new(EventConfig {
        size_rho: 0.25,
        ..EventConfig::default()
    });
    let pages: Vec<(String, Article, i64)> = (0..4)
        .map(|i| (format!("k{i}"), kerry(i), T0 + i as i64 * 1000))
        .collect();
    let out = ids(&mut t, &pages);
    let ev = t.event(parse_event_id(&out[0].0).unwrap()).unwrap();
    assert_eq!(ev.joins.1, 3, "three pages joined the first");
    // n = 4 page vectors: sqrt(4 / (1 + 3 x 0.25)).
    assert!((t.size_gain(ev) - (4.0f32 / 1.75).sqrt()).abs() < 1e-5);
}

/// Every centroid term is indexed under its event, and document frequencies add up.
fn assert_index_in_step(t: &EventTracker) {
    let mut terms = 0usize;
    for (slot, ev) in t.slots.iter().enumerate() {
        let Some(ev) = ev else { continue };
        let c = &ev.centroid;
        assert_eq!(c.terms().len(), c.mass().len());
        assert_eq!(c.terms().len(), c.weights().len());
        assert!(c.terms().windows(2).all(|w| w[0] < w[1]));
        for &term in c.terms() {
            match t.postings.get(term).expect("indexed") {
                Hits::One(s) => assert_eq!(s, slot as u32),
                Hits::Many(v) => assert!(v.contains(&(slot as u32))),
            }
        }
        terms += c.len();
    }
    let df = t.postings.entries();
    assert_eq!(df, terms);
}

#[test]
fn centroid_cap_keeps_the_top_terms() {
    let wide = EventConfig {
        centroid_terms: 1000,
        ..EventConfig::default()
    };
    let mut all = EventTracker::new(wide.clone());
    let mut capped = EventTracker::new(EventConfig {
        centroid_terms: 8,
        ..wide
    });
    all.assign("p1", &kerry(1), &unique(), "s", T0);
    capped.assign("p1", &kerry(1), &unique(), "s", T0);
    let full = all.slots.iter().flatten().next().unwrap();
    let small = capped.slots.iter().flatten().next().unwrap();
    assert!(full.centroid.len() > 8);
    // One event: every term has the same IDF, so the top terms are those of the largest mass.
    let top: Vec<u32> = top_k_indices(&full.centroid.mass().collect::<Vec<_>>(), 8)
        .into_iter()
        .map(|i| full.centroid.terms()[i])
        .collect();
    assert_eq!(small.centroid.terms(), top);
    // Later pages keep the cap and the index in step.
    for i in 2..12 {
        let a = if i % 3 == 0 { quake(i) } else { kerry(i) };
        capped.assign(&format!("p{i}"), &a, &unique(), "s", T0 + i as i64 * 1000);
    }
    assert!(capped.slots.iter().flatten().all(|e| e.centroid.len() <= 8));
    assert_index_in_step(&capped);
}

/// A distinct lowercase suffix per number.
fn letters(mut i: usize) -> String {
    let mut s = String::new();
    loop {
        s.push((b'a' + (i % 26) as u8) as char);
        i /= 26;
        if i == 0 {
            return s;
        }
    }
}

#[test]
fn index_stays_in_step_under_event_churn() {
    let mut t = EventTracker::new(EventConfig {
        max_active_events: 5,
        ..EventConfig::default()
    });
    for i in 0..200 {
        let a = article(
            &format!("Story number {i} about Topic{}", letters(i)),
            &format!(
                "Zorblax{} visited Quintar{} and met Vellum{} at Harbor{} on Tuesday.",
                letters(i),
                letters(i + 7),
                letters(i * 3),
                letters(i % 13)
            ),
        );
        t.assign(&format!("p{i}"), &a, &unique(), "s", T0 + i as i64);
        assert_index_in_step(&t);
    }
    assert!(t.active() <= 5);
    assert!(t.created() > 20, "{}", t.created());
}

#[test]
fn remembered_pages_are_bounded_and_replay_gives_the_same_assignments() {
    let cfg = EventConfig {
        max_remembered_pages: 4,
        ..EventConfig::default()
    };
    let mut live = EventTracker::new(cfg.clone());
    let mut log = Vec::new();
    let mut first = Vec::new();
    for i in 0..10 {
        let a = if i % 2 == 0 { kerry(i) } else { quake(i) };
        let r = live.assign(&format!("p{i}"), &a, &unique(), "s", T0 + i as i64);
        first.push(r.event.clone());
        log.extend(r.state);
    }
    assert_eq!(live.remembered_pages(), 4);
    // A recent page is remembered (same event, no change); a forgotten one is assigned anew.
    let again = live.assign("p9", &quake(9), &unique(), "s", T0 + 20);
    assert_eq!(
        (again.event.clone(), again.state.len()),
        (first[9].clone(), 0)
    );
    let mut replica = EventTracker::new(cfg);
    for e in log.iter().chain(&log) {
        replica.apply(e);
    }
    assert_eq!(replica.remembered_pages(), 4);
    assert_eq!(replica.summaries(), live.summaries());
    assert_index_in_step(&replica);
    for (i, event) in first.iter().enumerate().skip(6) {
        let id = format!("p{i}");
        let a = if i % 2 == 0 { kerry(i) } else { quake(i) };
        let r = replica.assign(&id, &a, &unique(), "s", T0 + 30);
        assert_eq!(&r.event, event, "{id}");
        assert!(r.state.is_empty());
    }
    for i in 20..26 {
        let a = if i % 2 == 0 { kerry(i) } else { quake(i) };
        let x = live.assign(&format!("n{i}"), &a, &unique(), "s", T0 + 40 + i as i64);
        let y = replica.assign(&format!("n{i}"), &a, &unique(), "s", T0 + 40 + i as i64);
        assert_eq!((x.event, x.summary), (y.event, y.summary));
    }
}

/// A page about the Saints placing a running back on injured reserve: undated and only
/// mentioning `year` in its text (`dated` false), or a later sister story with a trusted dateline
/// in `year`.
fn reserve(i: usize, year: i32, dated: bool) -> Article {
    if !dated {
        return article(
            &format!("Saints place Reggie Bush on injured reserve ({i})"),
            &format!(
                "The New Orleans Saints placed running back Reggie Bush on injured reserve on \
                 Wednesday, ending his season. Bush sprained his left knee against Chicago and \
                 will miss the final two games against Detroit and Carolina. Bush had surgery on \
                 the knee in October and missed four games. He was the 2006 draft pick and the \
                 team's second-leading rusher in {year}."
            ),
        );
    }
    let mut a = article(
        &format!("Saints place Pierre Thomas on injured reserve ({i})"),
        "The New Orleans Saints placed running back Pierre Thomas on injured reserve on \
         Wednesday because of an ankle injury, a day after rookie Chris Ivory went on the list. \
         The Saints play the wild-card game at Seattle on Saturday without their top two \
         rushers.",
    );
    a.published_at = chrono::DateTime::parse_from_rfc3339(&format!("{year}-01-05T12:00:00Z")).ok();
    a.published_at_source = Some(DateSource::Dateline);
    a
}

#[test]
fn pages_whose_years_disagree_stay_apart() {
    let cfg = EventConfig::default();
    assert!(cfg.year_penalty > 0.0);
    // Undated pages (no fetch time: the text is the only clock) mentioning 2008 ...
    let mut t = EventTracker::new(cfg.clone());
    let now = 1_900_000_000_000;
    let a = t.assign("p1", &reserve(1, 2008, false), &unique(), "s", now);
    let b = t.assign("p2", &reserve(2, 2008, false), &unique(), "s", now);
    assert_eq!(a.event.id, b.event.id);
    // ... and a page dated January 2011 about the same kind of happening: another event.
    let c = t.assign("p3", &reserve(3, 2011, true), &unique(), "s", now);
    assert_ne!(c.event.id, a.event.id);
    // Without the year evidence, the same page joins.
    let mut t = EventTracker::new(EventConfig {
        year_penalty: 0.0,
        ..cfg
    });
    let a = t.assign("p1", &reserve(1, 2008, false), &unique(), "s", now);
    t.assign("p2", &reserve(2, 2008, false), &unique(), "s", now);
    let c = t.assign("p3", &reserve(3, 2011, true), &unique(), "s", now);
    assert_eq!(c.event.id, a.event.id);
}

#[test]
fn event_years_survive_replay() {
    let mut live = EventTracker::new(EventConfig::default());
    let now = 1_900_000_000_000;
    let mut log = Vec::new();
    for i in 0..2 {
        log.extend(
            live.assign(
                &format!("p{i}"),
                &reserve(i, 2008, false),
                &unique(),
                "s",
                now,
            )
            .state,
        );
    }
    let mut replica = EventTracker::new(EventConfig::default());
    for e in log.iter().chain(&log) {
        replica.apply(e);
    }
    let key = parse_event_id(&live.summaries()[0].event_id).unwrap();
    assert_eq!(live.event(key).map(|e| e.year), Some(2008));
    assert_eq!(replica.event(key).map(|e| e.year), Some(2008));
    // The replica keeps the dated 2011 page apart exactly like the live tracker.
    let a = live.assign("p9", &reserve(9, 2011, true), &unique(), "s", now);
    let b = replica.assign("p9", &reserve(9, 2011, true), &unique(), "s", now);
    assert_eq!(a.event, b.event);
    assert!(a.event.is_new);
}

#[test]
fn event_facts_survive_replay_and_keep_sister_games_apart() {
    let game = |i: usize, opp: &str, score: &str| {
        article(
            &format!("Colts clinch playoff berth ({i})"),
            &format!(
                "The Indianapolis Colts clinched a playoff berth with a {score} victory over the \
                 {opp} on Sunday. Peyton Manning threw two touchdown passes and the defense held \
                 late as Indianapolis earned its tenth win of the season."
            ),
        )
    };
    let mut live = EventTracker::new(EventConfig::default());
    let mut log = Vec::new();
    for i in 0..2 {
        log.extend(
            live.assign(
                &format!("p{i}"),
                &game(i, "Jaguars", "31-24"),
                &unique(),
                "s",
                T0,
            )
            .state,
        );
    }
    let mut replica = EventTracker::new(EventConfig::default());
    for e in log.iter().chain(&log) {
        replica.apply(e);
    }
    let key = parse_event_id(&live.summaries()[0].event_id).unwrap();
    let facts = live.event(key).map(|e| e.facts.clone()).unwrap();
    assert_eq!(facts.len(), 1);
    assert_eq!(replica.event(key).map(|e| e.facts.clone()), Some(facts));
    // Same words, same day, another game: the scores differ, so the similarity is lower than for
    // a page repeating the score.
    let same = game(5, "Jaguars", "31-24");
    let other = game(6, "Chiefs", "20-13");
    let sim = |t: &mut EventTracker, a: &Article| {
        let feats = t
            .extractor
            .extract(a.title.as_deref(), &a.text, t.weights());
        let mut page = t.page_vector(&feats);
        page.facts = story_facts::facts(a.title.as_deref(), &a.text);
        t.best_match(&page, None, T0).map(|(_, s)| s).unwrap()
    };
    let (s_same, s_other) = (sim(&mut live, &same), sim(&mut live, &other));
    assert!(s_other < 0.8 * s_same, "{s_other} vs {s_same}");
}

#[test]
fn event_participants_survive_replay_and_keep_sister_moves_apart() {
    let on = EventConfig::default();
    assert!(on.participant_penalty > 0.0);
    let reserve = |i: usize, first: &str, last: &str| {
        article(
            &format!("Hawks place {last} on injured reserve ({i})"),
            &format!(
                "The Hawks placed running back {first} {last} on injured reserve on Tuesday. \
                 {last} hurt his knee in Sunday's game and will miss the rest of the season. \
                 Coach Ray Tolan said {last} would have surgery."
            ),
        )
    };
    let mut live = EventTracker::new(on.clone());
    let mut log = Vec::new();
    for i in 0..2 {
        log.extend(
            live.assign(
                &format!("p{i}"),
                &reserve(i, "Dequan", "Orlo"),
                &unique(),
                "s",
                T0,
            )
            .state,
        );
    }
    assert_eq!(live.summaries().len(), 1);
    let mut replica = EventTracker::new(on.clone());
    for e in log.iter().chain(&log) {
        replica.apply(e);
    }
    let key = parse_event_id(&live.summaries()[0].event_id).unwrap();
    let known = live.event(key).map(|e| e.participants.clone()).unwrap();
    assert!(!known.is_empty());
    assert_eq!(
        replica.event(key).map(|e| e.participants.clone()),
        Some(known)
    );
    // Another player of the same team: the participant penalty lowers the similarity.
    let other = reserve(7, "Lamar", "Ekwu");
    let sim = |t: &mut EventTracker, a: &Article, with: bool| {
        let feats = t
            .extractor
            .extract(a.title.as_deref(), &a.text, t.weights());
        let mut page = t.page_vector(&feats);
        if with {
            page.participants =
                participants::participants_of(a.title.as_deref(), &a.text, &feats, t.weights());
        }
        t.best_match(&page, None, T0).map(|(_, s)| s).unwrap()
    };
    let (with, without) = (sim(&mut live, &other, true), sim(&mut live, &other, false));
    let expected = without * (1.0 - on.participant_penalty);
    assert!(
        (with - expected).abs() < 1e-4 && with < without,
        "{with} vs {without}"
    );
    // The same player again: no penalty.
    let same = reserve(8, "Dequan", "Orlo");
    assert_eq!(sim(&mut live, &same, true), sim(&mut live, &same, false));
}

#[test]
fn trace_explains_candidates_only_when_enabled() {
    let mut t = EventTracker::new(EventConfig::default());
    t.assign("a", &kerry(1), &unique(), "src", T0);
    assert!(trace::take().is_none(), "tracing is off by default");
    trace::enable();
    let r = t.assign("b", &kerry(2), &unique(), "src", T0 + DAY);
    let v: serde_json::Value = serde_json::from_str(&trace::take().unwrap()).unwrap();
    let best = &v["cands"][0];
    assert_eq!(best["event"].as_str(), Some(r.event.id.as_str()));
    assert!(best["sim"].as_f64().unwrap() >= 0.22);
    let shared: Vec<&str> = best["shared"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s.as_str())
        .collect();
    assert!(
        shared.iter().any(|s| s.starts_with("Sergei Lavrov:")),
        "{shared:?}"
    );
    assert!(!v["top"].as_array().unwrap().is_empty());
    assert!(trace::take().is_none(), "taken once");
}

#[test]
fn age_facts_keep_two_climbers_apart_only_when_enabled() {
    let climber = |i: usize, age: u32| {
        article(
            &format!("Australian climber dies in fall on Mount Cook ({i})"),
            &format!(
                "A {age}-year-old Australian climber died after falling from a ridge on Mount \
                 Cook in New Zealand, police said. The alpine rescue team recovered his body \
                 from the glacier near the summit."
            ),
        )
    };
    let sim_of_other = |age_facts: bool| {
        let mut t = EventTracker::new(EventConfig {
            age_facts,
            ..EventConfig::default()
        });
        t.assign("a", &climber(1, 36), &unique(), "src", T0);
        let a = climber(2, 32);
        let feats = t
            .extractor
            .extract(a.title.as_deref(), &a.text, t.weights());
        let mut page = t.page_vector(&feats);
        page.facts = if age_facts {
            story_facts::facts_and_ages(a.title.as_deref(), &a.text)
        } else {
            story_facts::facts(a.title.as_deref(), &a.text)
        };
        t.best_match(&page, None, T0).map(|(_, s)| s).unwrap()
    };
    let (off, on) = (sim_of_other(false), sim_of_other(true));
    assert!(on < 0.8 * off, "{on} vs {off}");
    // Through `assign`: the second climber opens its own event only with ages on.
    let run = |age_facts: bool| {
        let mut t = EventTracker::new(EventConfig {
            age_facts,
            similarity_threshold: off * 0.9,
            ..EventConfig::default()
        });
        let a = t
            .assign("a", &climber(1, 36), &unique(), "src", T0)
            .event
            .id;
        let b = t
            .assign("b", &climber(2, 32), &unique(), "src", T0)
            .event
            .id;
        a == b
    };
    assert!(run(false));
    assert!(!run(true));
}

/// `kerry(i)` with a trusted publish date `days` after T0 read from `src`.
fn kerry_dated(i: usize, days: i64, src: DateSource) -> Article {
    let mut a = kerry(i);
    a.published_at =
        chrono::DateTime::from_timestamp_millis(T0 + days * DAY).map(|d| d.fixed_offset());
    a.published_at_source = Some(src);
    a
}

#[test]
fn prose_dates_damp_the_time_decay_but_metadata_dates_veto() {
    let cfg = EventConfig {
        window_days: 400.0,
        ..EventConfig::default()
    };
    assert!(cfg.weak_date_floor > 0.0);
    // Seen after both publish dates (a date after the fetch is not trusted).
    const NOW: i64 = T0 + 400 * DAY;
    // The same story, the second page carrying a dateline a year later (an update or background
    // date read from the text): a strong match still joins.
    let mut t = EventTracker::new(cfg.clone());
    let e1 = t.assign(
        "p1",
        &kerry_dated(1, 0, DateSource::Meta),
        &unique(),
        "s",
        NOW,
    );
    let e2 = t.assign(
        "p2",
        &kerry_dated(2, 365, DateSource::Dateline),
        &unique(),
        "s",
        NOW,
    );
    assert_eq!(e1.event.id, e2.event.id);
    // The event remembers that its dates include a prose one, also after a replay of the log.
    let key = parse_event_id(&e1.event.id).unwrap();
    assert!(t.event(key).unwrap().weak_story);
    let mut r = EventTracker::new(cfg.clone());
    for st in &e2.state {
        r.apply(st);
    }
    assert!(r.event(key).unwrap().weak_story);
    // Metadata dates on both sides a year apart: two events (TDT), as without the floor.
    let mut t = EventTracker::new(cfg.clone());
    let m1 = t.assign(
        "p1",
        &kerry_dated(1, 0, DateSource::Meta),
        &unique(),
        "s",
        NOW,
    );
    let m2 = t.assign(
        "p2",
        &kerry_dated(2, 365, DateSource::JsonLd),
        &unique(),
        "s",
        NOW,
    );
    assert_ne!(m1.event.id, m2.event.id);
    // Without the floor, the prose date vetoes the join.
    let mut t = EventTracker::new(EventConfig {
        weak_date_floor: 0.0,
        ..cfg
    });
    let w1 = t.assign(
        "p1",
        &kerry_dated(1, 0, DateSource::Meta),
        &unique(),
        "s",
        NOW,
    );
    let w2 = t.assign(
        "p2",
        &kerry_dated(2, 365, DateSource::Dateline),
        &unique(),
        "s",
        NOW,
    );
    assert_ne!(w1.event.id, w2.event.id);
}
