//! Normalize stage: one decoded [`Page`] → one clean [`Article`].
//!
//! Pure and stateless, so it runs in parallel across pages. Extracts the main text (paragraphs
//! separated by a blank line, NFC, whitespace normalized, no site chrome), the title, the publish
//! date with its provenance, authors, wire-agency credits, site name, canonical URL and language.

mod agencies;
mod boilerplate;
mod clean;
mod content;
mod dateline;
pub mod dates;
mod dom;
mod entities;
mod html;
mod language;
mod metadata;
mod text;
pub mod url;

#[cfg(test)]
mod tests;

/// Comparison key of a text: lowercase alphanumeric words joined by single spaces.
pub use content::key as text_key;

/// The first `n` chars of a text (for the chrome hints).
pub(crate) use clean::first_chars;

use crate::decode::{BodyKind, Page};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// Settings of the normalize stage.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NormalizeConfig {
    /// Fewer words than this and the page is flagged `quality.is_article = false`.
    pub min_article_words: usize,
}

impl Default for NormalizeConfig {
    fn default() -> Self {
        Self {
            min_article_words: 80,
        }
    }
}

/// Where `published_at` came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    /// `<meta>` tag such as `article:published_time`.
    Meta,
    /// JSON-LD `datePublished`.
    JsonLd,
    /// A `<time>` element.
    Time,
    /// A date in the URL path.
    Url,
    /// A dateline next to the headline.
    Dateline,
    /// A date found elsewhere in the text.
    Text,
    /// Nothing found: the fetch time.
    FetchedAt,
}

/// Quality flags: pages that are not articles are still emitted, flagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// The main text is long enough to be an article.
    pub is_article: bool,
}

/// A clean article: the output of the normalize stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Main text, paragraphs separated by a blank line.
    pub text: String,
    /// Headline.
    pub title: Option<String>,
    /// Publish time (with the page's offset when known).
    pub published_at: Option<DateTime<FixedOffset>>,
    /// Where `published_at` came from.
    pub published_at_source: Option<DateSource>,
    /// Bylines.
    pub authors: Vec<String>,
    /// Wire agencies credited in the page ("Xinhua", "TASS", "SD-Agencies", …).
    pub agencies: Vec<String>,
    /// Site name from metadata or masthead.
    pub site_name: Option<String>,
    /// The page URL as given.
    pub url: Option<String>,
    /// Canonical URL, normalized (see [`url::normalize_url`]).
    pub canonical_url: Option<String>,
    /// ISO 639-1 language of the main text.
    pub language: Option<String>,
    /// Words in the main text.
    pub word_count: usize,
    /// Quality flags.
    pub quality: Quality,
}

/// The normalize stage. Cheap to share across threads; all tables and regexes are statics.
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    cfg: NormalizeConfig,
}

/// What an extractor found before the shared finishing steps.
#[derive(Debug, Default)]
pub(crate) struct Extracted {
    pub paragraphs: Vec<String>,
    /// When the extractor already cleaned the paragraphs, per paragraph: its
    /// [`clean::count_words`] when cleaning it again would leave it unchanged, else `None`.
    pub paragraph_words: Option<Vec<Option<usize>>>,
    pub title: Option<String>,
    pub canonical: Option<String>,
    pub site_name: Option<String>,
    pub authors: Vec<String>,
    pub agencies: Vec<String>,
    pub language_hint: Option<String>,
    pub date: Option<(dates::FoundDate, DateSource)>,
}

impl Normalizer {
    /// A normalizer with these settings.
    pub fn new(cfg: NormalizeConfig) -> Self {
        Self { cfg }
    }

    /// Normalize one page. Never panics on any input.
    pub fn normalize(&self, page: &Page) -> Article {
        let reference = page.fetched_at.unwrap_or_else(chrono::Utc::now);
        let mut extracted = match page.kind {
            BodyKind::Html => html::extract(page, reference),
            BodyKind::Text => extract_text(&page.body, reference),
        };
        let (paragraphs, word_count) = finish_paragraphs(
            std::mem::take(&mut extracted.paragraphs),
            extracted.paragraph_words.take(),
        );
        let text = paragraphs.join("\n\n");
        let canonical_url = extracted
            .canonical
            .as_deref()
            .and_then(|c| url::resolve(page.url.as_deref(), c))
            .and_then(|u| url::normalize_url(&u))
            .or_else(|| page.url.as_deref().and_then(url::normalize_url));
        let (published_at, published_at_source) = match extracted.date.take() {
            Some((d, source)) => (Some(d.at), Some(source)),
            None => match page.fetched_at {
                Some(t) => (Some(t.fixed_offset()), Some(DateSource::FetchedAt)),
                None => (None, None),
            },
        };
        let language = language::detect(&text, extracted.language_hint.as_deref());
        Article {
            text,
            title: extracted
                .title
                .map(|t| clean::clean_whitespace(&t))
                .filter(|t| !t.is_empty()),
            published_at,
            published_at_source,
            authors: extracted
                .authors
                .iter()
                .map(|a| clean::clean_whitespace(a))
                .collect(),
            agencies: extracted.agencies,
            site_name: extracted
                .site_name
                .map(|s| clean::clean_whitespace(&s))
                .filter(|s| !s.is_empty()),
            url: page.url.clone(),
            canonical_url,
            language,
            word_count,
            quality: Quality {
                is_article: word_count >= self.cfg.min_article_words,
            },
        }
    }
}

/// Clean each paragraph (dropping empty ones) and count the words of the joined text.
///
/// `words`, when given, marks paragraphs the extractor already cleaned so that cleaning them
/// again leaves them unchanged, with their [`clean::count_words`]: those are kept as they are.
/// Words never run across the blank line that joins paragraphs, so the sum of the
/// per-paragraph counts is the count of the joined text.
fn finish_paragraphs(
    paragraphs: Vec<String>,
    words: Option<Vec<Option<usize>>>,
) -> (Vec<String>, usize) {
    let words = words.filter(|w| w.len() == paragraphs.len());
    let mut out = Vec::with_capacity(paragraphs.len());
    let mut total = 0;
    for (i, p) in paragraphs.into_iter().enumerate() {
        let known = words.as_ref().and_then(|w| w.get(i).copied().flatten());
        match known {
            Some(n) if !p.is_empty() => {
                total += n;
                out.push(p);
            }
            _ => {
                let c = clean::clean_whitespace(&p);
                if !c.is_empty() {
                    total += clean::count_words(&c);
                    out.push(c);
                }
            }
        }
    }
    (out, total)
}

/// The text shape: chrome-laden page text.
fn extract_text(body: &str, reference: chrono::DateTime<chrono::Utc>) -> Extracted {
    let t = text::extract(body);
    let mut agencies = Vec::new();
    agencies::credits_in_all(
        t.credit_lines
            .iter()
            .chain(t.paragraphs.iter())
            .map(String::as_str),
        &mut agencies,
    );
    let plausible = |d: &dates::FoundDate| dates::plausible(d, reference);
    let date = t
        .dateline
        .filter(plausible)
        .map(|d| (d, DateSource::Dateline))
        .or_else(|| t.text_date.filter(plausible).map(|d| (d, DateSource::Text)));
    Extracted {
        paragraphs: t.paragraphs,
        paragraph_words: Some(t.paragraph_words),
        title: t.title,
        site_name: t.site_name,
        agencies,
        date,
        ..Extracted::default()
    }
}

/// Diagnostic dump of the HTML block classification (for development tools; not stable).
#[doc(hidden)]
pub fn debug_blocks(html_body: &str) -> String {
    use std::fmt::Write;
    let dom = dom::Dom::parse(html_body);
    let an = content::analyze(&dom);
    let ex = content::extract(&dom, &an, None);
    let mut depth = vec![0usize; dom.nodes.len()];
    let mut deepest = (0, 0);
    for (i, n) in dom.nodes.iter().enumerate().skip(1) {
        depth[i] = depth.get(n.parent as usize).copied().unwrap_or(0) + 1;
        if depth[i] > deepest.0 {
            deepest = (depth[i], i);
        }
    }
    let mut chain = Vec::new();
    let mut cur = deepest.1 as u32;
    while let Some(e) = dom.element(cur) {
        chain.push(e.name.to_string());
        cur = dom.node(cur).map_or(dom::NONE, |n| n.parent);
    }
    chain.reverse();
    let mut out = format!(
        "container={} nodes={} depth={} chain={}\n",
        ex.container,
        dom.nodes.len(),
        deepest.0,
        chain.join(">")
    );
    for (i, node) in dom.nodes.iter().enumerate() {
        let parent_boiler = an
            .boiler
            .get(node.parent as usize)
            .copied()
            .unwrap_or(false);
        if an.boiler.get(i).copied().unwrap_or(false)
            && !parent_boiler
            && let Some(e) = dom.element(i as u32)
        {
            let _ = writeln!(
                out,
                "boiler root {i} <{} class={:?} id={:?}>",
                e.name,
                e.attr("class").unwrap_or_default(),
                e.attr("id").unwrap_or_default()
            );
        }
    }
    if std::env::var_os("SIFT_DEBUG_NODES").is_some() {
        for (i, n) in dom.nodes.iter().enumerate() {
            let d = match &n.data {
                dom::NodeData::Element(e) => format!("<{}>", e.name),
                dom::NodeData::Text(t) => format!("{:?}", t.chars().take(60).collect::<String>()),
                dom::NodeData::Document => "#doc".into(),
            };
            let _ = writeln!(out, "node {i} parent={} {d}", n.parent);
        }
    }
    for (i, b) in an.blocks.iter().enumerate() {
        let name = dom.element(b.elem).map_or("?", |e| &e.name);
        let kept = if ex.kept.contains(&i) { "K" } else { " " };
        // Nearest ancestors with a class or id, innermost first.
        let mut path = Vec::new();
        let mut cur = b.elem;
        while let Some(e) = dom.element(cur) {
            let tag = e
                .attr("class")
                .filter(|c| !c.trim().is_empty())
                .or_else(|| e.attr("id"))
                .map(|c| c.chars().take(30).collect::<String>());
            if let Some(t) = tag {
                path.push(format!("{}.{t}", e.name));
                if path.len() == 3 {
                    break;
                }
            }
            cur = dom.node(cur).map_or(dom::NONE, |n| n.parent);
        }
        let _ = writeln!(
            out,
            "{kept} {:>6} {:<8} {:?} boiler={} ld={:.2} w={} | {} | {}",
            b.elem,
            name,
            b.class,
            b.boiler,
            content::link_density(b),
            b.words,
            b.text.chars().take(90).collect::<String>(),
            path.join(" < ")
        );
    }
    out
}

/// One block of [`debug_block_rows`]: kept?, class, in a chrome container?, text, and the
/// class/id tokens of its ancestors (innermost first).
#[doc(hidden)]
pub type DebugBlockRow = (bool, String, bool, String, Vec<String>);

/// Per-block diagnostic rows of the HTML extraction (for development tools; not stable).
#[doc(hidden)]
pub fn debug_block_rows(html_body: &str) -> Vec<DebugBlockRow> {
    let dom = dom::Dom::parse(html_body);
    let an = content::analyze(&dom);
    let ex = content::extract(&dom, &an, None);
    let kept: std::collections::HashSet<usize> = ex.kept.iter().copied().collect();
    an.blocks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut toks = Vec::new();
            let mut cur = b.elem;
            while let Some(e) = dom.element(cur) {
                let mut t = e.name.to_string();
                for a in ["class", "id"] {
                    if let Some(v) = e.attr(a) {
                        for tok in v.split_ascii_whitespace().take(8) {
                            t.push(if a == "class" { '.' } else { '#' });
                            t.push_str(&tok.to_ascii_lowercase());
                        }
                    }
                }
                toks.push(t);
                cur = dom.node(cur).map_or(dom::NONE, |n| n.parent);
            }
            (
                kept.contains(&i),
                format!("{:?}/{:?}", b.class, b.kind),
                b.boiler,
                b.text.clone(),
                toks,
            )
        })
        .collect()
}
