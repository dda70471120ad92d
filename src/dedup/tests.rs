use super::*;
use crate::normalize::Quality;

fn article(text: &str, url: Option<&str>) -> Article {
    Article {
        text: text.into(),
        title: None,
        published_at: None,
        published_at_source: None,
        authors: vec![],
        agencies: vec![],
        site_name: None,
        url: url.map(str::to_string),
        canonical_url: url.map(str::to_string),
        language: None,
        word_count: text.split_whitespace().count(),
        quality: Quality { is_article: true },
    }
}

fn text(a: &str) -> Article {
    article(a, None)
}

/// A deterministic pseudo-article: `sentences` sentences of 10–20 words drawn from a
/// 3,000-word vocabulary.
fn story(seed: u64, sentences: usize) -> Vec<Vec<String>> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    (0..sentences)
        .map(|_| {
            let n = 10 + (next() % 11) as usize;
            (0..n).map(|_| format!("w{}", next() % 3000)).collect()
        })
        .collect()
}

fn join(s: &[Vec<String>]) -> String {
    s.iter()
        .map(|w| w.join(" ") + ".")
        .collect::<Vec<_>>()
        .join(" ")
}

const DAY: i64 = 86_400_000;
const T0: i64 = 1_700_000_000_000;

fn small(max: usize, days: u32) -> DedupConfig {
    DedupConfig {
        max_documents: max,
        window_days: days,
        ..DedupConfig::default()
    }
}

#[test]
fn exact_copy_is_flagged_with_the_original() {
    let mut d = Deduplicator::new(DedupConfig::default());
    let orig = join(&story(1, 20));
    let (v1, s1) = d.check("a", &text(&orig), T0);
    assert_eq!(v1.status, DedupStatus::Unique);
    assert!(s1.is_some());
    let shouty = orig.to_uppercase().replace(". ", " ... ");
    let (v2, s2) = d.check("b", &text(&shouty), T0 + 1);
    assert_eq!(v2.kind, Some(DuplicateKind::Exact));
    assert_eq!(v2.duplicate_of.as_deref(), Some("a"));
    assert_eq!(v2.similarity, Some(1.0));
    assert!(s2.is_some());
    // A copy of the copy still points at the earliest document.
    let (v3, _) = d.check("c", &text(&orig), T0 + 2);
    assert_eq!(v3.duplicate_of.as_deref(), Some("a"));
}

#[test]
fn url_variant_with_other_chrome_is_exact_and_other_url_is_near() {
    let mut d = Deduplicator::new(DedupConfig::default());
    let body = join(&story(2, 25));
    let url = "https://www.example.com/world/story-1";
    d.check(
        "a",
        &article(&format!("Home News\n\n{body}\n\nShare"), Some(url)),
        T0,
    );
    let variant = "https://m.example.com/world/story-1/amp?utm_source=x";
    let chrome = format!("Menu\n\n{body}\n\nAdvertisement\n\nRead more");
    let (v, _) = d.check("b", &article(&chrome, Some(variant)), T0 + 1);
    assert_eq!(v.kind, Some(DuplicateKind::Exact), "{v:?}");
    assert_eq!(v.duplicate_of.as_deref(), Some("a"));
    let syndicated = format!("Breaking\n\nBy A. Writer\n\n{body}\n\nFollow us");
    let (v, _) = d.check(
        "c",
        &article(&syndicated, Some("https://other.example.org/x")),
        T0 + 2,
    );
    assert_eq!(v.kind, Some(DuplicateKind::Near), "{v:?}");
    assert!(v.similarity.unwrap() > 0.9);
}

#[test]
fn truncated_copy_is_contained_in_its_original() {
    let mut d = Deduplicator::new(DedupConfig::default());
    let s = story(3, 30);
    d.check("full", &text(&join(&s)), T0);
    let (v, _) = d.check("teaser", &text(&join(&s[..12])), T0 + 1);
    assert_eq!(v.kind, Some(DuplicateKind::Near), "{v:?}");
    assert_eq!(v.duplicate_of.as_deref(), Some("full"));
    assert!(v.similarity.unwrap() >= 0.8, "{v:?}");
}

#[test]
fn spun_copy_is_near() {
    let mut d = Deduplicator::new(DedupConfig::default());
    let s = story(4, 30);
    d.check("orig", &text(&join(&s)), T0);
    // Replace a pseudo-random 20 % of the words and swap sentence pairs.
    let mut spun = s.clone();
    let mut k = 0u64;
    for sent in &mut spun {
        for w in sent.iter_mut() {
            k += 1;
            if crate::dedup::sketch::mix64(k).is_multiple_of(5) {
                *w = format!("syn{k}");
            }
        }
    }
    for pair in spun.chunks_mut(2) {
        pair.reverse();
    }
    let (v, _) = d.check("spun", &text(&join(&spun)), T0 + 1);
    assert_eq!(v.kind, Some(DuplicateKind::Near), "{v:?}");
    assert_eq!(v.duplicate_of.as_deref(), Some("orig"));
}

#[test]
fn different_articles_sharing_a_quote_are_not_copies() {
    let mut d = Deduplicator::new(DedupConfig::default());
    let quote = story(99, 2);
    let mut a = story(5, 25);
    let mut b = story(6, 25);
    a.splice(3..3, quote.iter().cloned());
    b.splice(10..10, quote.iter().cloned());
    d.check("a", &text(&join(&a)), T0);
    let (v, _) = d.check("b", &text(&join(&b)), T0 + 1);
    assert_eq!(v.status, DedupStatus::Unique, "{v:?}");
}

#[test]
fn redelivery_returns_the_first_verdict_and_entry() {
    let mut d = Deduplicator::new(DedupConfig::default());
    let s = story(7, 30);
    let orig = text(&join(&s));
    let copy = text(&join(&s[..15]));
    let (u1, e1) = d.check("orig", &orig, T0);
    let (c1, f1) = d.check("copy", &copy, T0 + 5);
    let (x1, g1) = d.check("exact", &orig, T0 + 6);
    let n = d.len();
    let (u2, e2) = d.check("orig", &orig, T0);
    let (c2, f2) = d.check("copy", &copy, T0 + 5);
    let (x2, g2) = d.check("exact", &orig, T0 + 6);
    assert_eq!((u1, e1), (u2, e2));
    assert_eq!(c1.kind, Some(DuplicateKind::Near));
    assert_eq!((c1, f1), (c2, f2));
    assert_eq!(x1.kind, Some(DuplicateKind::Exact));
    assert_eq!((x1, g1), (x2, g2));
    assert_eq!(d.len(), n, "redelivery remembers nothing new");
    // After a restart (replay of the entries) the verdicts are the same too.
}

#[test]
fn redelivery_after_restart_matches() {
    let s = story(8, 30);
    let orig = text(&join(&s));
    let copy = text(&join(&s[..18]));
    let mut d1 = Deduplicator::new(DedupConfig::default());
    let (u1, e1) = d1.check("orig", &orig, T0);
    let (c1, f1) = d1.check("copy", &copy, T0 + 1);
    let mut d2 = Deduplicator::new(DedupConfig::default());
    d2.apply(e1.as_ref().unwrap());
    d2.apply(f1.as_ref().unwrap());
    assert_eq!(d2.check("copy", &copy, T0 + 1), (c1, f1));
    assert_eq!(d2.check("orig", &orig, T0), (u1, e1));
    assert_eq!(d2.len(), 2);
}

#[test]
fn window_is_bounded_by_count_and_time() {
    let mut d = Deduplicator::new(small(2, 1));
    let docs: Vec<String> = (0..5).map(|i| join(&story(100 + i, 10))).collect();
    d.check("a", &text(&docs[0]), T0);
    d.check("b", &text(&docs[1]), T0 + 1000);
    d.check("c", &text(&docs[2]), T0 + 2000);
    assert_eq!(d.len(), 2);
    assert_eq!(d.evictions(), 1);
    // "a" was evicted by count: its copy is new again.
    let (v, _) = d.check("a2", &text(&docs[0]), T0 + 3000);
    assert_eq!(v.status, DedupStatus::Unique);
    d.check("d", &text(&docs[3]), T0 + 3 * DAY);
    assert_eq!(d.len(), 1, "everything older than a day is gone");
    assert_eq!(d.evictions(), 4);
    let (v, _) = d.check("e", &text(&docs[1]), T0 + 3 * DAY);
    assert_eq!(v.status, DedupStatus::Unique);
    let (v, _) = d.check("f", &text(&docs[3]), T0 + 3 * DAY + 1);
    assert_eq!(v.duplicate_of.as_deref(), Some("d"));
}

#[test]
fn late_pages_are_decided_but_not_remembered() {
    let mut d = Deduplicator::new(small(100, 1));
    let a = join(&story(200, 10));
    d.check("new", &text(&join(&story(201, 10))), T0 + 10 * DAY);
    let (v, e) = d.check("old", &text(&a), T0);
    assert_eq!(v.status, DedupStatus::Unique);
    assert!(e.is_some());
    assert_eq!(d.len(), 1);
}

#[test]
fn replay_equals_live_and_own_entries_are_no_ops() {
    let cfg = small(50, 2);
    let mut live = Deduplicator::new(cfg.clone());
    let mut entries = Vec::new();
    let mut verdicts = Vec::new();
    for i in 0..200u64 {
        // Each story comes back 30 documents later: truncated (a near copy) for even i, whole
        // (an exact copy) for odd i.
        let base = story(i % 30, 12);
        let doc = if (i / 30) % 2 == 1 && i.is_multiple_of(2) {
            join(&base[..8])
        } else {
            join(&base)
        };
        let (v, e) = live.check(&format!("d{i}"), &text(&doc), T0 + i as i64 * DAY / 20);
        verdicts.push(v);
        entries.push(e.unwrap());
    }
    assert!(verdicts.iter().any(|v| v.kind == Some(DuplicateKind::Near)));
    assert!(
        verdicts
            .iter()
            .any(|v| v.kind == Some(DuplicateKind::Exact))
    );
    let mut replayed = Deduplicator::new(cfg);
    for e in &entries {
        replayed.apply(e);
    }
    assert_eq!(replayed.len(), live.len());
    assert_eq!(replayed.evictions(), live.evictions());
    // Own entries read back (twice) change nothing.
    let (len, ev) = (live.len(), live.evictions());
    for e in entries
        .iter()
        .rev()
        .take(20)
        .chain(entries.iter().rev().take(20))
    {
        live.apply(e);
    }
    assert_eq!((live.len(), live.evictions()), (len, ev));
    // Both answer every probe the same way.
    for i in 0..80u64 {
        let probe = text(&join(&story(i, 12)[2..]));
        let t = T0 + 11 * DAY;
        let a = live.check(&format!("p{i}"), &probe, t);
        let b = replayed.check(&format!("p{i}"), &probe, t);
        assert_eq!(a, b);
    }
}

#[test]
fn foreign_and_malformed_entries_are_ignored() {
    let mut d = Deduplicator::new(DedupConfig::default());
    for value in [
        serde_json::json!({"v": 1}),
        serde_json::json!("x"),
        serde_json::json!({"v": 1, "t": 0, "x": "0f", "m": "!!"}),
    ] {
        d.apply(&StateEntry {
            stage: STAGE.into(),
            key: "k".into(),
            value: value.into(),
        });
    }
    let (_, e) = d.check("a", &text("one two three four"), T0);
    let mut e = e.unwrap();
    e.stage = "event".into();
    let mut other = Deduplicator::new(DedupConfig::default());
    other.apply(&e);
    assert!(d.len() == 1 && other.is_empty());
}

#[test]
fn hostile_inputs_stay_bounded() {
    let mut d = Deduplicator::new(small(10, 7));
    let huge_id = "x".repeat(10_000);
    let (v, _) = d.check(&huge_id, &text("some words here and there"), T0);
    assert_eq!(v.status, DedupStatus::Unique);
    let (v, _) = d.check("future", &text("other words"), i64::MAX);
    assert_eq!(v.status, DedupStatus::Unique);
    let (_, e) = d.check("empty", &text(""), i64::MIN);
    assert!(e.is_some());
    for i in 0..100 {
        d.check(&format!("n{i}"), &text(&format!("w{i} x y z")), T0);
    }
    assert!(d.len() <= 10);
}

/// `base` with sentence `k % len` replaced by words unique to `k`: a near copy (one sentence of
/// 30 changed) whose text differs from every other `k`.
fn near_variant(base: &[Vec<String>], k: usize) -> String {
    let mut s = base.to_vec();
    let n = s.len();
    if let Some(sentence) = s.get_mut(k % n) {
        for (j, w) in sentence.iter_mut().enumerate() {
            *w = format!("v{k}x{j}");
        }
    }
    join(&s)
}

type Decision = (Verdict, Option<StateEntry>);

/// Redeliver `(id, text, time, first decision)` and require the same decision and no new memory.
fn assert_redelivered(d: &mut Deduplicator, id: &str, a: &Article, t: i64, first: &Decision) {
    let n = d.len();
    let again = d.check(id, a, t);
    assert_eq!(&again, first, "redelivery of {id} changed its decision");
    assert_eq!(d.len(), n, "redelivery of {id} remembered something new");
    if first.0.status == DedupStatus::Duplicate {
        assert_ne!(first.0.duplicate_of.as_deref(), Some(id));
    }
}

/// Hot exact chain: far more copies than one chain walk visits.
#[test]
fn redelivered_original_after_300_exact_copies_is_itself() {
    let mut d = Deduplicator::new(DedupConfig::default());
    let orig = text(&join(&story(40, 30)));
    let first = d.check("orig", &orig, T0);
    assert_eq!(first.0.status, DedupStatus::Unique);
    let mut copies = Vec::new();
    for k in 0..300i64 {
        let id = format!("copy-{k}");
        let dec = d.check(&id, &orig, T0 + 1 + k);
        assert_eq!(dec.0.duplicate_of.as_deref(), Some("orig"));
        assert_eq!(dec.0.kind, Some(DuplicateKind::Exact));
        copies.push((id, T0 + 1 + k, dec));
    }
    assert_eq!(d.len(), 301);
    assert_redelivered(&mut d, "orig", &orig, T0, &first);
    for k in [0usize, 5, 150, 299] {
        let (id, t, dec) = &copies[k];
        assert_redelivered(&mut d, id, &orig, *t, dec);
    }
    assert_eq!(d.len(), 301);
}

/// 200 near copies: 100 distinct near variants, then one more near variant sent 100 times (a
/// hot exact chain of near copies: the first is `near`, the others exact copies of it).
fn near_copies_run(d: &mut Deduplicator) -> Vec<(String, Article, i64, Decision)> {
    let base = story(41, 30);
    let orig = text(&join(&base));
    let mut out = Vec::new();
    let first = d.check("orig", &orig, T0);
    assert_eq!(first.0.status, DedupStatus::Unique);
    out.push(("orig".to_string(), orig, T0, first));
    for k in 0..200usize {
        let variant = if k < 100 { k } else { 1000 };
        let a = text(&near_variant(&base, variant));
        let id = format!("near-{k}");
        let t = T0 + 1 + k as i64;
        let dec = d.check(&id, &a, t);
        assert_eq!(dec.0.status, DedupStatus::Duplicate, "{id}");
        assert_eq!(dec.0.duplicate_of.as_deref(), Some("orig"), "{id}");
        out.push((id, a, t, dec));
    }
    out
}

#[test]
fn redelivered_original_after_200_near_copies_is_itself() {
    let mut d = Deduplicator::new(DedupConfig::default());
    let run = near_copies_run(&mut d);
    assert_eq!(d.len(), 201);
    for k in [0usize, 1, 50, 100, 101, 102, 103, 200] {
        let (id, a, t, dec) = &run[k];
        assert_redelivered(&mut d, id, a, *t, dec);
    }
    assert_eq!(d.len(), 201);
}

#[test]
fn replica_that_replayed_hot_chains_recognizes_redeliveries() {
    let mut live = Deduplicator::new(DedupConfig::default());
    let mut run = near_copies_run(&mut live);
    let orig = run[0].1.clone();
    for k in 0..300i64 {
        let id = format!("copy-{k}");
        let t = T0 + 500 + k;
        let dec = live.check(&id, &orig, t);
        run.push((id, orig.clone(), t, dec));
    }
    let mut replica = Deduplicator::new(DedupConfig::default());
    for (_, _, _, (_, e)) in &run {
        replica.apply(e.as_ref().unwrap());
    }
    assert_eq!(replica.len(), live.len());
    // Reading the entries back again (own entries on the tail) changes nothing.
    for (_, _, _, (_, e)) in &run {
        replica.apply(e.as_ref().unwrap());
    }
    assert_eq!(replica.len(), live.len());
    for k in [0usize, 1, 50, 101, 200, 201, 205, 500] {
        let (id, a, t, dec) = &run[k];
        assert_redelivered(&mut replica, id, a, *t, dec);
    }
    assert_eq!(replica.len(), live.len());
}

impl Deduplicator {
    /// The lookup as it was before the seen-set and early stop (session 5): gathers every band
    /// candidate, sorts them with repeats, verifies all of them. `remember` then counts hot
    /// chains itself. The optimized `find` must decide exactly like this.
    pub(super) fn find_legacy(&mut self, doc_id: &str, sk: &sketch::Sketch, url: u32) -> Found {
        let horizon = self.horizon_s();
        let store = &self.store;
        if let Some(seq) = store.find_id(doc_id, |seq| {
            store
                .meta(seq)
                .is_some_and(|m| m.text_hash() == sk.text_hash)
        }) {
            return Found::Own(seq);
        }
        let mut own = None;
        let mut earliest = None;
        store.walk(store.exact_lane(), sk.text_hash, |seq| {
            if let Some(m) = store.meta(seq)
                && m.text_hash() == sk.text_hash
                && m.time_s >= horizon
            {
                if store.id_eq(seq, doc_id) {
                    own = Some(seq);
                    return false;
                }
                if !store.root_is(seq, doc_id) {
                    earliest = Some(seq);
                }
            }
            true
        });
        if let Some(seq) = own {
            return Found::Own(seq);
        }
        if let Some(seq) = earliest {
            return Found::Copy(entry::DupBody {
                exact: true,
                of: self.root_id(seq),
                similarity: 1.0,
            });
        }
        let Some(keys) = sk.keys.filter(|_| sk.shingles > 0) else {
            return Found::New;
        };
        let mut cands = std::mem::take(&mut self.cands);
        cands.clear();
        for (lane, key) in keys.iter().take(self.bands).enumerate() {
            self.store.walk(lane, u64::from(*key), |seq| {
                if cands.len() < 1024 {
                    cands.push(seq);
                }
                true
            });
        }
        let store = &self.store;
        cands.sort_unstable_by_key(|seq| std::cmp::Reverse(store.age(*seq)));
        cands.dedup();
        let sig = sk.signature();
        let mut best: Option<(u32, f32)> = None;
        for &seq in &cands {
            let (Some(m), Some(other)) = (store.meta(seq), store.sig(seq)) else {
                continue;
            };
            if m.shingles() == 0 || m.time_s < horizon {
                continue;
            }
            let j = sketch::estimate_jaccard(&sig, other);
            if j < self.cfg.min_jaccard {
                continue;
            }
            let sim = similarity(j, sk.shingles, m.shingles());
            if sim < self.cfg.threshold {
                continue;
            }
            if store.id_eq(seq, doc_id) {
                self.cands = cands;
                return Found::Own(seq);
            }
            if best.is_none() && !store.root_is(seq, doc_id) {
                best = Some((seq, sim));
            }
        }
        self.visited += cands.len() as u64;
        self.cands = cands;
        self.copy_verdict(best, url)
    }
}

/// Random streams of near copies (hot band chains), exact copies, redeliveries, reused ids with
/// edited texts and unrelated pages, through a small window that evicts: the optimized lookup
/// (seen-set, early stop, hot lanes counted during the lookup) decides, remembers and emits
/// exactly what the legacy lookup did.
#[test]
fn optimized_lookup_decides_like_the_legacy_lookup() {
    let mut rng = 0x1234_5678_9abc_def1u64;
    let mut next = move || {
        rng = sketch::mix64(rng.wrapping_add(0x9e37_79b9_7f4a_7c15));
        rng
    };
    for (round, max_docs) in [(0u64, 60usize), (1, 400), (2, 5000)] {
        let cfg = small(max_docs, 7);
        let mut new = Deduplicator::new(cfg.clone());
        let mut old = Deduplicator::new(cfg);
        old.legacy = true;
        let bases: Vec<Vec<Vec<String>>> = (0..6).map(|b| story(round * 100 + b, 25)).collect();
        let mut sent: Vec<(String, String)> = Vec::new();
        for i in 0..1500usize {
            let r = next();
            let base = &bases[(r % bases.len() as u64) as usize];
            let (id, body) = match (r >> 8) % 10 {
                // Near variant of a base (one sentence replaced, some sentences dropped).
                0..=3 => {
                    let mut s = base.clone();
                    let k = ((r >> 16) % 1000) as usize;
                    let keep = s.len() - ((r >> 32) % 8) as usize;
                    s.truncate(keep);
                    (format!("n{i}"), near_variant(&s, k))
                }
                // Exact copy of something sent, under a new id.
                4 if !sent.is_empty() => {
                    let (_, b) = &sent[((r >> 16) as usize) % sent.len()];
                    (format!("c{i}"), b.clone())
                }
                // Redelivery: same id, same text.
                5 if !sent.is_empty() => sent[((r >> 16) as usize) % sent.len()].clone(),
                // Same id, edited text (one more sentence replaced).
                6 if !sent.is_empty() => {
                    let (id, b) = &sent[((r >> 16) as usize) % sent.len()];
                    (id.clone(), format!("{b} extra{} words here now", r % 7))
                }
                // Unrelated page, sometimes tiny.
                7 => {
                    let n = if r % 3 == 0 { 1 } else { 20 };
                    (format!("u{i}"), join(&story(r, n)))
                }
                _ => (format!("b{i}"), near_variant(base, i)),
            };
            let t = T0 + (i as i64) * 60_000;
            let a = text(&body);
            let got = new.check(&id, &a, t);
            let want = old.check(&id, &a, t);
            assert_eq!(got, want, "round {round}, page {i} ({id})");
            sent.push((id, body));
        }
        assert_eq!(new.len(), old.len());
        assert_eq!(new.chain_visits(), old.chain_visits());
        assert!(new.chain_visits() > 0);
    }
}

#[test]
fn seen_set_is_a_set_across_generations() {
    let mut s = SeenSet::new();
    for generation in 0..5u32 {
        s.clear();
        let mut model = std::collections::HashSet::new();
        for k in 0..MAX_CANDIDATES as u32 {
            let seq = (k.wrapping_mul(2_654_435_761) ^ generation) % 700 + generation * 3;
            assert_eq!(s.insert(seq), model.insert(seq), "{generation} {seq}");
        }
    }
    // Wrap of the generation stamp clears stale slots.
    s.generation = u32::MAX;
    s.clear();
    assert!(s.insert(5));
    assert!(!s.insert(5));
}
