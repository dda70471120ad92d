//! Scoring functions shared by the evaluation commands.
//!
//! Body text: the ScrapingHub article-extraction-benchmark definition (see
//! `shared/docs/ANCHORS.md`): `\w+` Unicode tokens, multisets of 4-token shingles, per-page
//! TP/FP/FN normalized to sum 1, precision and recall averaged over pages, F1 of the averages.

use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

static WORD: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r"\w+").expect("constant regex")
});

/// Shingle length of the body metric.
pub const SHINGLE: usize = 4;

/// `\w+` tokens (Unicode, case kept).
pub fn tokens(text: &str) -> Vec<&str> {
    WORD.find_iter(text).map(|m| m.as_str()).collect()
}

/// Multiset of `n`-token shingles. Texts shorter than `n` tokens give one shorter shingle;
/// an empty text gives none.
pub fn shingles(text: &str, n: usize) -> HashMap<String, usize> {
    let toks = tokens(text);
    let mut out = HashMap::new();
    let count = toks.len().saturating_sub(n).saturating_add(1).max(1);
    for i in 0..count {
        let end = (i + n).min(toks.len());
        let Some(window) = toks.get(i..end) else {
            continue;
        };
        let s = window.join(" ");
        if !s.is_empty() {
            *out.entry(s).or_insert(0) += 1;
        }
    }
    out
}

/// One page's shingle counts.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PageCounts {
    /// Shingles in both (min of the counts).
    pub tp: f64,
    /// Predicted surplus.
    pub fp: f64,
    /// Gold surplus.
    pub fn_: f64,
}

/// TP/FP/FN of a prediction against gold, normalized to sum 1 (all zero when both are empty).
pub fn page_counts(gold: &str, predicted: &str) -> PageCounts {
    let g = shingles(gold, SHINGLE);
    let p = shingles(predicted, SHINGLE);
    let mut tp = 0usize;
    let mut fp = 0usize;
    for (s, &pc) in &p {
        let gc = g.get(s).copied().unwrap_or(0);
        tp += pc.min(gc);
        fp += pc.saturating_sub(gc);
    }
    let fn_: usize = g
        .iter()
        .map(|(s, &gc)| gc.saturating_sub(p.get(s).copied().unwrap_or(0)))
        .sum();
    let total = (tp + fp + fn_) as f64;
    if total == 0.0 {
        return PageCounts::default();
    }
    PageCounts {
        tp: tp as f64 / total,
        fp: fp as f64 / total,
        fn_: fn_ as f64 / total,
    }
}

/// Aggregated precision, recall and F1 over pages.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Prf {
    /// Mean precision over pages with TP+FP > 0.
    pub precision: f64,
    /// Mean recall over pages with TP+FN > 0.
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
    /// Pages scored.
    pub pages: usize,
}

/// Precision of one page (`None` when it predicted nothing and missed nothing is not the case).
fn page_precision(c: &PageCounts) -> Option<f64> {
    if c.fp == 0.0 && c.fn_ == 0.0 {
        return Some(1.0);
    }
    (c.tp + c.fp > 0.0).then(|| c.tp / (c.tp + c.fp))
}

fn page_recall(c: &PageCounts) -> Option<f64> {
    if c.fp == 0.0 && c.fn_ == 0.0 {
        return Some(1.0);
    }
    (c.tp + c.fn_ > 0.0).then(|| c.tp / (c.tp + c.fn_))
}

/// Aggregate per-page counts.
pub fn aggregate(pages: &[PageCounts]) -> Prf {
    let mean = |v: Vec<f64>| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let precision = mean(pages.iter().filter_map(page_precision).collect());
    let recall = mean(pages.iter().filter_map(page_recall).collect());
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Prf {
        precision,
        recall,
        f1,
        pages: pages.len(),
    }
}

/// Title comparison key: lowercase `\w+` tokens joined by one space.
pub fn title_key(title: &str) -> String {
    tokens(&title.to_lowercase()).join(" ")
}

/// Exact title match under [`title_key`].
pub fn title_matches(gold: &str, predicted: Option<&str>) -> bool {
    predicted.is_some_and(|p| title_key(p) == title_key(gold))
}

/// Same calendar day: `gold` is `YYYY-MM-DD` (longer values are cut to the day).
pub fn same_day(gold: &str, predicted: Option<&str>) -> bool {
    let g = gold.trim().get(..10).unwrap_or(gold.trim());
    predicted.is_some_and(|p| p.trim().get(..10) == Some(g))
}

/// Author match: the lowercase `\w+` token sets of gold and the predicted names are equal, or
/// one predicted name equals gold.
pub fn author_matches(gold: &str, predicted: &[String]) -> bool {
    use std::collections::BTreeSet;
    let set = |s: &str| -> BTreeSet<String> {
        tokens(&s.to_lowercase())
            .into_iter()
            .map(str::to_string)
            .collect()
    };
    let g = set(gold);
    if g.is_empty() {
        return false;
    }
    predicted.iter().any(|p| set(p) == g) || set(&predicted.join(" ")) == g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_score_one() {
        let c = page_counts("a b c d e f", "a b c d e f");
        assert_eq!(c.tp, 1.0);
        let prf = aggregate(&[c]);
        assert_eq!((prf.precision, prf.recall, prf.f1), (1.0, 1.0, 1.0));
    }

    #[test]
    fn shingles_are_multisets_of_four_tokens() {
        let s = shingles("a b c d a b c d", 4);
        assert_eq!(s.get("a b c d"), Some(&2));
        assert_eq!(s.len(), 4);
        assert_eq!(shingles("one two", 4).get("one two"), Some(&1));
        assert!(shingles("", 4).is_empty());
        assert!(shingles("— !", 4).is_empty());
    }

    #[test]
    fn partial_overlap() {
        // gold: 3 shingles (a b c d, b c d e, c d e f); predicted: a b c d, b c d x.
        let c = page_counts("a b c d e f", "a b c d x");
        assert!((c.tp - 1.0 / 4.0).abs() < 1e-9, "{c:?}");
        assert!((c.fp - 1.0 / 4.0).abs() < 1e-9);
        assert!((c.fn_ - 2.0 / 4.0).abs() < 1e-9);
        let prf = aggregate(&[c]);
        assert!((prf.precision - 0.5).abs() < 1e-9);
        assert!((prf.recall - 1.0 / 3.0).abs() < 1e-9);
        assert!((prf.f1 - 0.4).abs() < 1e-9);
    }

    #[test]
    fn empty_prediction_counts_for_recall_only() {
        let miss = page_counts("a b c d e", "");
        let hit = page_counts("a b c d", "a b c d");
        let prf = aggregate(&[miss, hit]);
        assert_eq!(prf.precision, 1.0);
        assert_eq!(prf.recall, 0.5);
        let both_empty = page_counts("", "");
        assert_eq!(aggregate(&[both_empty]).f1, 1.0);
    }

    #[test]
    fn titles_dates_authors() {
        assert!(title_matches(
            "Kerry seeks ‘real progress’!",
            Some("kerry seeks real PROGRESS")
        ));
        assert!(!title_matches("Kerry", None));
        assert!(same_day("2015-12-16", Some("2015-12-16T08:53:00+08:00")));
        assert!(!same_day("2015-12-16", Some("2015-12-15T23:00:00+00:00")));
        assert!(author_matches("Jane Doe", &["jane doe".to_string()]));
        assert!(author_matches(
            "Jane Doe and John Roe",
            &["Jane Doe".into(), "and John Roe".into()]
        ));
        assert!(!author_matches("Jane Doe", &[]));
    }
}
