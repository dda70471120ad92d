//! `sift eval extract --gold FILE --predictions FILE`: score another extractor's output
//! (trafilatura, news-please, …) with exactly the scorer that `sift eval extract` uses, so the
//! numbers are comparable.
//!
//! Predictions are JSON lines `{"id", "text", "title", "published", "authors", "seconds"}`;
//! `id` is the gold line's `gold.id` (or, when the gold has none, the 0-based line index as a
//! string). Every field but `id` is optional; `authors` is a list of names or one string, and
//! `seconds` is the extractor's CPU (or wall) time for the page, summed into a speed line.
//! A gold page without a prediction counts as an empty prediction (recall 0), as in the
//! benchmark definition.

use super::extract::{Gold, open_lines};
use super::scoring::{self, PageCounts};
use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

/// One external prediction.
#[derive(Debug, Default, Deserialize)]
pub struct Prediction {
    /// The gold id it answers.
    pub id: String,
    /// Main text.
    #[serde(default)]
    pub text: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Publish date (anything starting with `YYYY-MM-DD`).
    #[serde(default)]
    pub published: Option<String>,
    /// Author names.
    #[serde(default)]
    pub authors: Option<Authors>,
    /// Time the extractor spent on the page, in seconds.
    #[serde(default)]
    pub seconds: Option<f64>,
}

/// Authors as a list or as one string.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Authors {
    /// A list of names.
    List(Vec<String>),
    /// One string (possibly several names joined).
    One(String),
}

impl Authors {
    fn names(&self) -> Vec<String> {
        match self {
            Authors::List(v) => v.clone(),
            Authors::One(s) => s
                .split([';', ','])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize)]
struct GoldLine {
    #[serde(default)]
    gold: Gold,
}

/// Totals of one scoring run.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Body precision/recall/F1 over all gold pages.
    pub body: scoring::Prf,
    /// Body scores over even and odd line indexes.
    pub halves: [scoring::Prf; 2],
    /// Title exact matches / pages with a gold title.
    pub title: (usize, usize),
    /// Same-day dates / pages with a gold date.
    pub date: (usize, usize),
    /// Author matches / pages with a gold author.
    pub author: (usize, usize),
    /// Gold pages with no prediction.
    pub missing: usize,
    /// Predictions carrying `seconds`, and their sum.
    pub timed: (usize, f64),
}

/// Score `predictions` against `gold` (both JSON-lines readers).
pub fn score(gold: impl BufRead, predictions: impl BufRead) -> Result<Report> {
    let mut preds: HashMap<String, Prediction> = HashMap::new();
    for (i, line) in predictions.lines().enumerate() {
        let line = line.with_context(|| format!("read prediction line {}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let p: Prediction = serde_json::from_str(&line)
            .with_context(|| format!("parse prediction line {}", i + 1))?;
        preds.insert(p.id.clone(), p);
    }
    let mut counts: [Vec<PageCounts>; 2] = [Vec::new(), Vec::new()];
    let (mut title, mut date, mut author) = ((0, 0), (0, 0), (0, 0));
    let (mut missing, mut timed) = (0usize, (0usize, 0.0f64));
    fn nonempty(s: &Option<String>) -> Option<&str> {
        s.as_deref().filter(|s| !s.trim().is_empty())
    }
    let mut index = 0usize;
    for (i, line) in gold.lines().enumerate() {
        let line = line.with_context(|| format!("read gold line {}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let g: GoldLine =
            serde_json::from_str(&line).with_context(|| format!("parse gold line {}", i + 1))?;
        let g = g.gold;
        let id = g.id.clone().unwrap_or_else(|| index.to_string());
        let p = preds.get(&id);
        if p.is_none() {
            missing += 1;
        }
        let text = p.and_then(|p| p.text.as_deref()).unwrap_or("");
        let c = scoring::page_counts(g.text.as_deref().unwrap_or(""), text);
        if let Some(half) = counts.get_mut(index % 2) {
            half.push(c);
        }
        if let Some(gt) = nonempty(&g.title) {
            title.1 += 1;
            title.0 += usize::from(scoring::title_matches(
                gt,
                p.and_then(|p| p.title.as_deref()),
            ));
        }
        if let Some(gd) = nonempty(&g.published) {
            date.1 += 1;
            date.0 += usize::from(scoring::same_day(
                gd,
                p.and_then(|p| p.published.as_deref()),
            ));
        }
        if let Some(ga) = nonempty(&g.author) {
            let names = p
                .and_then(|p| p.authors.as_ref())
                .map(Authors::names)
                .unwrap_or_default();
            author.1 += 1;
            author.0 += usize::from(scoring::author_matches(ga, &names));
        }
        if let Some(s) = p.and_then(|p| p.seconds) {
            timed.0 += 1;
            timed.1 += s;
        }
        index += 1;
    }
    let all: Vec<PageCounts> = counts.iter().flatten().copied().collect();
    Ok(Report {
        body: scoring::aggregate(&all),
        halves: [
            scoring::aggregate(&counts[0]),
            scoring::aggregate(&counts[1]),
        ],
        title,
        date,
        author,
        missing,
        timed,
    })
}

/// Run the scoring on files and print a report in the layout of `sift eval extract`.
pub fn run(gold: &Path, predictions: &Path) -> Result<()> {
    let r = score(open_lines(gold)?, open_lines(predictions)?)?;
    let ratio = |(hit, total): (usize, usize)| {
        if total == 0 {
            "   n/a".to_string()
        } else {
            format!("{:.3} ({hit}/{total})", hit as f64 / total as f64)
        }
    };
    println!(
        "{:<5} {:>6} {:>9} {:>7} {:>7} {:>18} {:>18} {:>18}",
        "split", "pages", "precision", "recall", "F1", "title", "date", "author"
    );
    for (name, prf) in [
        ("all", &r.body),
        ("even", &r.halves[0]),
        ("odd", &r.halves[1]),
    ] {
        let (t, d, a) = if name == "all" {
            (ratio(r.title), ratio(r.date), ratio(r.author))
        } else {
            (String::new(), String::new(), String::new())
        };
        println!(
            "{:<5} {:>6} {:>9.4} {:>7.4} {:>7.4} {:>18} {:>18} {:>18}",
            name, prf.pages, prf.precision, prf.recall, prf.f1, t, d, a
        );
    }
    let (n, secs) = r.timed;
    if n > 0 && secs > 0.0 {
        println!(
            "speed: {:.1} pages/s per core ({n} timed pages, {secs:.2} s)",
            n as f64 / secs
        );
    }
    if r.missing > 0 {
        println!(
            "{} gold pages had no prediction (scored as empty)",
            r.missing
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOLD: &str = concat!(
        r#"{"page":{},"gold":{"id":"a","text":"one two three four five six","title":"T","published":"2020-01-02T00:00:00Z","author":"Jane Doe"}}"#,
        "\n",
        r#"{"page":{},"gold":{"id":"b","text":"alpha beta gamma delta epsilon"}}"#,
        "\n"
    );

    #[test]
    fn perfect_predictions_score_one() {
        let preds = concat!(
            r#"{"id":"a","text":"one two three four five six","title":"T","published":"2020-01-02","authors":"Jane Doe","seconds":0.5}"#,
            "\n",
            r#"{"id":"b","text":"alpha beta gamma delta epsilon","seconds":0.5}"#,
            "\n"
        );
        let r = score(GOLD.as_bytes(), preds.as_bytes()).unwrap();
        assert!((r.body.f1 - 1.0).abs() < 1e-9);
        assert_eq!(r.title, (1, 1));
        assert_eq!(r.date, (1, 1));
        assert_eq!(r.author, (1, 1));
        assert_eq!(r.missing, 0);
        assert_eq!(r.timed, (2, 1.0));
    }

    #[test]
    fn a_missing_prediction_counts_as_empty() {
        let preds = concat!(r#"{"id":"a","text":"one two three four five six"}"#, "\n");
        let r = score(GOLD.as_bytes(), preds.as_bytes()).unwrap();
        assert_eq!(r.missing, 1);
        assert!(r.body.recall < 0.6, "recall {}", r.body.recall);
        assert_eq!(r.title, (0, 1));
    }

    #[test]
    fn bad_prediction_lines_are_errors_not_panics() {
        assert!(score(GOLD.as_bytes(), "{not json\n".as_bytes()).is_err());
    }
}
