//! The HTML shape: parse, read metadata, extract the main content, and run the date cascade
//! (JSON-LD, meta tags, `<time>`, URL, dateline, text, as htmldate does).

use super::content::{self, BlockKind, Class};
use super::dates::{self, FoundDate};
use super::dom::Dom;
use super::metadata;
use super::{DateSource, Extracted, agencies, url};
use crate::decode::Page;
use chrono::{DateTime, Utc};

/// Extract article text and metadata from an HTML page.
pub(crate) fn extract(page: &Page, reference: DateTime<Utc>) -> Extracted {
    let dom = Dom::parse(&page.body);
    let meta = metadata::read(&dom);
    let host = page.url.as_deref().and_then(url::host);
    let site_name = meta
        .tags
        .get("og:site_name")
        .or_else(|| meta.tags.get("application-name"))
        .cloned()
        .or_else(|| meta.ld.publisher.clone());
    let title = metadata::choose_title(&meta, site_name.as_deref(), host.as_deref());
    let analysis = content::analyze(&dom);
    let ex = content::extract(&dom, &analysis, title.as_deref());
    let authors = metadata::choose_authors(&meta);

    let plausible = |d: &FoundDate| dates::plausible(d, reference);
    let mut date: Option<(FoundDate, DateSource)> = metadata::meta_date(&meta)
        .filter(|(d, _)| plausible(d))
        .map(|(d, ld)| (d, if ld { DateSource::JsonLd } else { DateSource::Meta }));
    if date.is_none() {
        // Marked publish-date elements first, then the first <time> in or before the article.
        let end = dom.subtree_end(ex.container) as u32;
        date = meta
            .element_dates
            .iter()
            .filter(|(_, d, _)| plausible(d))
            .find(|(_, _, strong)| *strong)
            .or_else(|| {
                meta.element_dates
                    .iter()
                    .filter(|(_, d, _)| plausible(d))
                    .find(|(id, _, _)| *id < end)
            })
            .map(|(_, d, _)| (*d, DateSource::Time));
    }
    if date.is_none() {
        date = page
            .url
            .as_deref()
            .and_then(dates::from_url)
            .filter(plausible)
            .map(|d| (d, DateSource::Url));
    }
    if date.is_none() {
        // Short blocks at the top of the article (bylines, datelines) and date-named elements.
        let first_kept = ex.kept.first().copied().unwrap_or(usize::MAX);
        date = analysis
            .blocks
            .iter()
            .enumerate()
            .filter(|(i, b)| {
                b.words <= 25
                    && (b.elem >= ex.container && (*i <= first_kept || ex.kept.contains(i)))
            })
            .take(12)
            .find_map(|(_, b)| dates::find_first(&b.text).filter(plausible))
            .map(|d| (d, DateSource::Dateline));
    }
    if date.is_none() {
        date = meta
            .date_texts
            .iter()
            .find_map(|(_, t)| dates::find_first(t).filter(plausible))
            .map(|d| (d, DateSource::Text));
    }
    if date.is_none() {
        date = analysis
            .blocks
            .iter()
            .filter(|b| b.words <= 20)
            .take(400)
            .find_map(|b| dates::find_first(&b.text).filter(plausible))
            .map(|d| (d, DateSource::Text));
    }

    // Agency credits: article text, captions and bylines.
    let mut found = Vec::new();
    for p in &ex.paragraphs {
        agencies::credits_in(p, &mut found);
    }
    for b in analysis.blocks.iter().filter(|b| {
        b.kind == BlockKind::Caption && b.elem >= ex.container && b.class != Class::Bad
    }) {
        agencies::credits_in(&b.text, &mut found);
    }
    for a in &authors {
        agencies::credits_in_byline(a, &mut found);
    }

    let canonical = meta
        .canonical
        .clone()
        .or_else(|| meta.tags.get("og:url").cloned());
    Extracted {
        paragraphs: ex.paragraphs,
        title,
        canonical,
        site_name,
        authors,
        agencies: found,
        language_hint: meta.lang,
        date,
    }
}
