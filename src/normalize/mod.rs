//! Normalize stage: one decoded [`Page`] → one clean [`Article`].
//!
//! Pure and stateless, so it runs in parallel across pages. Extracts the main text (paragraphs
//! separated by a blank line, NFC, whitespace normalized, no site chrome), the title, the publish
//! date with its provenance, authors, wire-agency credits, site name, canonical URL and language.

mod html;
mod text;
pub mod url;

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

/// The normalize stage. Cheap to share across threads.
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    cfg: NormalizeConfig,
}

/// What an extractor found before the shared finishing steps.
#[derive(Debug, Default)]
pub(crate) struct Extracted {
    pub paragraphs: Vec<String>,
    pub title: Option<String>,
    pub canonical: Option<String>,
    pub site_name: Option<String>,
    pub authors: Vec<String>,
    pub language_hint: Option<String>,
}

impl Normalizer {
    /// A normalizer with these settings.
    pub fn new(cfg: NormalizeConfig) -> Self {
        Self { cfg }
    }

    /// Normalize one page. Never panics on any input.
    pub fn normalize(&self, page: &Page) -> Article {
        let extracted = match page.kind {
            BodyKind::Html => html::extract(&page.body),
            BodyKind::Text => text::extract(&page.body),
        };
        let paragraphs: Vec<String> = extracted
            .paragraphs
            .iter()
            .map(|p| text::clean_whitespace(p))
            .filter(|p| !p.is_empty())
            .collect();
        let text = paragraphs.join("\n\n");
        let word_count = text.split_whitespace().count();
        let canonical_url = extracted
            .canonical
            .as_deref()
            .and_then(|c| url::resolve(page.url.as_deref(), c))
            .or_else(|| page.url.clone())
            .and_then(|u| url::normalize_url(&u));
        let published_at = page.fetched_at.map(|t| t.fixed_offset());
        Article {
            text,
            title: extracted
                .title
                .map(|t| text::clean_whitespace(&t))
                .filter(|t| !t.is_empty()),
            published_at,
            published_at_source: published_at.map(|_| DateSource::FetchedAt),
            authors: extracted.authors,
            agencies: Vec::new(),
            site_name: extracted.site_name,
            url: page.url.clone(),
            canonical_url,
            language: extracted.language_hint,
            word_count,
            quality: Quality {
                is_article: word_count >= self.cfg.min_article_words,
            },
        }
    }
}
