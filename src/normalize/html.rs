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
    let inlined = inline_streamed_segments(&page.body);
    let dom = Dom::parse(inlined.as_deref().unwrap_or(&page.body));
    let meta = metadata::read(&dom);
    let host = page.url.as_deref().and_then(url::host);
    let site_name = meta
        .tags
        .get("og:site_name")
        .or_else(|| meta.tags.get("application-name"))
        .cloned()
        .or_else(|| meta.ld.publisher.clone());
    let analysis = content::analyze(&dom);
    // Headers often hold the headline, so only dropped regions (nav, footer, hidden) disqualify.
    let in_chrome = |id: u32| analysis.dropped.get(id as usize).copied().unwrap_or(true);
    let (title, title_node) =
        metadata::choose_title(&meta, site_name.as_deref(), host.as_deref(), in_chrome);
    // Titles escaped twice ("&amp;#x26;") still carry an entity after parsing.
    let title = title.map(|t| {
        if t.contains('&') {
            super::entities::decode_entities(&t).into_owned()
        } else {
            t
        }
    });
    let mut ex = content::extract(&dom, &analysis, title.as_deref());
    // Script-rendered pages: fall back to JSON-LD articleBody when it holds more prose.
    if let Some(body) = meta.ld.article_body.as_deref() {
        let ours: usize = ex
            .paragraphs
            .iter()
            .map(|p| super::clean::count_words(p))
            .sum();
        let theirs = super::clean::count_words(body);
        if ours < 50 && theirs > ours * 2 {
            let decoded = super::entities::decode_entities(body);
            ex.paragraphs = decoded
                .split('\n')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
        }
    }

    let plausible = |d: &FoundDate| dates::plausible(d, reference);
    // The date shown with the headline (what readers see, often "Updated …") comes first: the
    // zone from the headline (or the article start) to the first kept paragraph.
    let zone_start = title_node.unwrap_or(ex.container).min(ex.container);
    // (A kept block above the headline, a tagline or blurb, does not end the zone.)
    let first_kept_elem = ex
        .kept
        .iter()
        .filter_map(|&i| analysis.blocks.get(i))
        .filter(|b| b.class == Class::Good)
        .map(|b| b.elem)
        .find(|&e| e > title_node.unwrap_or(zone_start))
        .unwrap_or(u32::MAX);
    let zone_end = first_kept_elem.max(zone_start);
    let in_zone = |id: u32| id >= zone_start && id <= zone_end;
    let bylines = text_bylines(
        analysis
            .blocks
            .iter()
            .filter(|b| in_zone(b.elem) && b.class != Class::Bad)
            .take(40),
    );
    let authors = metadata::choose_authors(&meta, site_name.as_deref(), host.as_deref(), &bylines);
    // Whether the headline date is labelled as a revision ("Updated on …").
    let mut labelled_revision = false;
    // A short line's first plausible date, and whether a revision label ("Updated") leads it.
    let line_date = |b: &content::Block| block_date(&b.text, &plausible);
    let mut date: Option<(FoundDate, DateSource)> = meta
        .element_dates
        .iter()
        .find(|(id, d, _)| in_zone(*id) && plausible(d))
        .map(|(id, d, _)| {
            labelled_revision = time_labelled_revision(&dom, &analysis.blocks, *id);
            (*d, DateSource::Time)
        });
    if date.is_none() {
        let dated: Vec<(&content::Block, (FoundDate, bool))> = analysis
            .blocks
            .iter()
            .filter(|b| b.words <= 25 && in_zone(b.elem))
            .take(20)
            .filter_map(|b| line_date(b).map(|d| (b, d)))
            .collect();
        let listed = listed_lines(&dom, &dated);
        date = dated
            .iter()
            .filter(|(b, _)| !listed.contains(&b.elem))
            .map(|(_, d)| *d)
            .pipe_first_publish()
            .map(|(d, revision)| {
                labelled_revision = revision;
                (d, DateSource::Dateline)
            });
    }
    if date.is_none() {
        // A date line just above the headline ("Last updated: Dec 12, 2025" over the h1).
        let before: Vec<&content::Block> = analysis
            .blocks
            .iter()
            .take_while(|b| b.elem < zone_start)
            .collect();
        date = before
            .iter()
            .rev()
            .take(3)
            .filter(|b| b.words <= 12 && b.class != Class::Bad && !in_chrome(b.elem))
            .filter_map(|b| line_date(b))
            .pipe_first_publish()
            .map(|(d, revision)| {
                labelled_revision = revision;
                (d, DateSource::Dateline)
            });
    }
    if date.is_none()
        && let Some(headline) = title_node
    {
        // A short standfirst right under the headline ends the zone before the byline line
        // ("By Jo Smith Mar 5, 2025"): read on to the next kept block.
        let mut good = ex
            .kept
            .iter()
            .filter_map(|&i| analysis.blocks.get(i))
            .filter(|b| b.class == Class::Good && b.elem > headline);
        if let (Some(first), Some(second)) = (good.next(), good.next())
            && first.words <= 40
        {
            // Lines with a byline cue in them or in one of the two lines before ("By",
            // "Jo Smith", "Mar 5, 2025" as separate spans).
            let between: Vec<&content::Block> = analysis
                .blocks
                .iter()
                .filter(|b| b.elem > first.elem && b.elem < second.elem)
                .take(12)
                .collect();
            date = between
                .iter()
                .enumerate()
                .filter(|(i, b)| {
                    b.words <= 25
                        && between
                            .get(i.saturating_sub(2)..=*i)
                            .is_some_and(|w| w.iter().any(|p| is_byline_line(&p.text)))
                })
                .map(|(_, b)| *b)
                .filter_map(&line_date)
                .pipe_first_publish()
                .map(|(d, revision)| {
                    labelled_revision = revision;
                    (d, DateSource::Dateline)
                });
        }
    }
    if date.is_none()
        && title_node.is_none()
        && let Some(h1) = meta
            .h1
            .iter()
            .rev()
            .map(|(id, _)| *id)
            .find(|&id| id < zone_start)
    {
        // No headline matched the title (the page's h1 holds a standfirst, or sits in a
        // header region): the short lines from the last h1 before the text to the text stand
        // in for the headline zone ("By Jo Smith Updated Sep 5, 2024" under the h1).
        date = analysis
            .blocks
            .iter()
            .skip_while(|b| b.elem <= h1)
            .take_while(|b| b.elem < zone_start)
            .filter(|b| b.words <= 25 && !in_chrome(b.elem))
            .take(20)
            .filter_map(&line_date)
            .pipe_first_publish()
            .map(|(d, revision)| {
                labelled_revision = revision;
                (d, DateSource::Dateline)
            });
    }
    if date.is_none() {
        date = metadata::meta_date(&meta)
            .filter(|(d, _)| plausible(d))
            .map(|(d, ld)| {
                (
                    d,
                    if ld {
                        DateSource::JsonLd
                    } else {
                        DateSource::Meta
                    },
                )
            });
        // A JSON-LD datePublished equal to its dateModified to the second stamps the page's
        // last save; the page's one element marked as the publish date (`<time pubdate>`,
        // itemprop=datePublished) outside the chrome is its own word on the publish date.
        if matches!(date, Some((_, DateSource::JsonLd)))
            && metadata::ld_published_is_save_stamp(&meta)
        {
            let mut marked = meta
                .element_dates
                .iter()
                .filter(|(id, d, strong)| *strong && !in_chrome(*id) && plausible(d));
            if let (Some((_, d, _)), None) = (marked.next(), marked.next()) {
                date = Some((*d, DateSource::Time));
            }
        }
    }
    if date.is_none() {
        date = meta
            .element_dates
            .iter()
            .filter(|(_, d, _)| plausible(d))
            .find(|(_, _, strong)| *strong)
            .or_else(|| meta.element_dates.iter().find(|(_, d, _)| plausible(d)))
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
    if date.is_none() {
        date = raw_json_date(&page.body, false)
            .filter(plausible)
            .map(|d| (d, DateSource::JsonLd));
    }
    if date.is_none() {
        date = metadata::modified_date(&meta)
            .filter(plausible)
            .map(|d| (d, DateSource::Meta));
    }
    if date.is_none() {
        date = raw_json_date(&page.body, true)
            .filter(plausible)
            .map(|d| (d, DateSource::JsonLd));
    }
    // "This article was originally published on 26 Sep 2019": the page names its first
    // publish date in words, which beats every revision date it carries.
    if let Some(d) = originally_published(&analysis.blocks, &plausible) {
        date = Some((d, DateSource::Dateline));
        labelled_revision = false;
    }

    let date = metadata::prefer_original(date, &meta, labelled_revision, plausible);
    let date = metadata::reconcile_date(date, &meta);
    // "03/10/2023" read month-first when the URL path says 2023/october/03.
    let url_date = page.url.as_deref().and_then(dates::from_url);
    let date = match (date, url_date) {
        (Some((d, s)), Some(u))
            if !matches!(s, DateSource::JsonLd | DateSource::Meta)
                && metadata::swapped_day_month(d.at.date_naive(), u.at.date_naive()) =>
        {
            Some((u, DateSource::Url))
        }
        (date, _) => date,
    };
    // "02-12-2025" read month-first when a machine-readable date elsewhere on the page (the
    // same post in a list, "2025-12-02") has day and month the other way round.
    let date = match date {
        Some((d, s)) if !matches!(s, DateSource::JsonLd | DateSource::Meta | DateSource::Url) => {
            let day = d.at.date_naive();
            meta.element_dates
                .iter()
                .find(|(_, o, _)| metadata::swapped_day_month(day, o.at.date_naive()))
                .map_or(Some((d, s)), |(_, o, _)| Some((*o, s)))
        }
        date => date,
    };
    let date = date.map(|(d, s)| (metadata::in_local_offset(d, &meta), s));

    // Agency credits: article text, captions and bylines.
    let mut found = Vec::new();
    for p in &ex.paragraphs {
        agencies::credits_in(p, &mut found);
    }
    for b in analysis
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Caption && b.elem >= ex.container && b.class != Class::Bad)
    {
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
        paragraph_words: None,
        title,
        canonical,
        site_name,
        authors,
        agencies: found,
        language_hint: meta.lang,
        date,
    }
}

/// Whether the text just before a date labels it as a revision: "Updated on", "Last
/// updated:", "Modified", "Aktualisiert am", "Mis à jour le", "Actualizado".
fn is_revision_label(before: &str) -> bool {
    let start = before.len().saturating_sub(40);
    let start = (start..before.len())
        .find(|&i| before.is_char_boundary(i))
        .unwrap_or(before.len());
    let tail = before.get(start..).unwrap_or("").to_lowercase();
    [
        "updated",
        "modified",
        "revised",
        "aktualisiert",
        "mis à jour",
        "actualizado",
        "atualizado",
        "aggiornato",
        "bijgewerkt",
    ]
    .iter()
    .any(|l| tail.contains(l))
}

/// The date of a short line and whether a revision label ("Updated") leads it. A line that
/// shows a revision date first and the publish date after it ("Updated: Jan 2, 2026 ·
/// Published: Dec 22, 2022") gives the earlier, unlabelled date.
fn block_date(text: &str, plausible: &impl Fn(&FoundDate) -> bool) -> Option<(FoundDate, bool)> {
    let found = dates::find_all(text, 3);
    let &(pos, d) = found.first()?;
    if !plausible(&d) {
        return None;
    }
    let revision = is_revision_label(text.get(..pos).unwrap_or(""));
    if revision {
        let later = found.iter().skip(1).find(|(p, o)| {
            plausible(o)
                && o.at < d.at
                && !is_revision_label(text.get(pos + 1..*p).unwrap_or("updated"))
        });
        if let Some(&(_, o)) = later {
            return Some((o, false));
        }
    }
    Some((d, revision))
}

/// The dated lines of a zone that are entries of a list of posts (related or popular posts
/// between the headline and the text): three or more lines in elements of the same name and
/// class that show at least two different days. Returns their elements.
fn listed_lines(dom: &Dom, dated: &[(&content::Block, (FoundDate, bool))]) -> Vec<u32> {
    let shape = |b: &content::Block| {
        dom.element(b.elem).and_then(|e| {
            Some((
                e.name.as_ref(),
                e.attr("class").filter(|c| !c.trim().is_empty())?,
            ))
        })
    };
    let mut out = Vec::new();
    for (b, (d, _)) in dated {
        let Some(s) = shape(b) else { continue };
        let same: Vec<chrono::NaiveDate> = dated
            .iter()
            .filter(|(o, _)| shape(o) == Some(s))
            .map(|(_, (od, _))| od.at.date_naive())
            .collect();
        if same.len() >= 3 && same.iter().any(|&x| x != d.at.date_naive()) {
            out.push(b.elem);
        }
    }
    out
}

/// Whether a line reads as a byline ("By Jo Smith", "Posted …", "Published …"), not as a
/// dated list item of the text.
fn is_byline_line(text: &str) -> bool {
    // "ByJo Smith": inline spans run together by the markup.
    let glued_by = text
        .trim_start()
        .strip_prefix("By")
        .and_then(|r| r.chars().next())
        .is_some_and(char::is_uppercase);
    glued_by
        || text.split_whitespace().any(|w| {
            let w = w.trim_end_matches(':').to_ascii_lowercase();
            matches!(w.as_str(), "by" | "posted" | "published")
        })
}

/// Picking among the dated lines of a byline zone.
trait FirstPublish: Iterator<Item = (FoundDate, bool)> + Sized {
    /// The first dated line, unless it is labelled as a revision and one of the next two
    /// dated lines holds an unlabelled earlier date ("Updated: January 2, 2026" then
    /// "December 22, 2022"): a publish date precedes its revisions, and it is the one asked for.
    fn pipe_first_publish(mut self) -> Option<(FoundDate, bool)> {
        let first = self.next()?;
        if !first.1 {
            return Some(first);
        }
        self.take(2)
            .find(|(d, revision)| !revision && d.at < first.0.at)
            .or(Some(first))
    }
}

impl<I: Iterator<Item = (FoundDate, bool)>> FirstPublish for I {}

/// A date right after "originally published" / "first published" / "first posted" in a
/// short block of the page.
fn originally_published(
    blocks: &[content::Block],
    plausible: &impl Fn(&FoundDate) -> bool,
) -> Option<FoundDate> {
    static ORIGINAL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        dates::re(r"(?i)\b(?:originally|first)\s+(?:published|posted|appeared)\b")
    });
    blocks
        .iter()
        .filter(|b| b.words <= 60)
        .take(1000)
        .filter(|b| b.text.contains("riginally") || b.text.contains("irst "))
        .find_map(|b| {
            let m = ORIGINAL.find(&b.text)?;
            let rest = b.text.get(m.end()..)?;
            let (pos, d) = dates::find_all(rest, 1).into_iter().next()?;
            (pos <= 24 && plausible(&d)).then_some(d)
        })
}

/// A `datePublished` (or, with `modified`, `dateModified`) value in JSON that is no JSON-LD
/// block: escaped inside an attribute (`&quot;datePublished&quot;:&quot;2025-11-17…`) or a
/// script string (`\"datePublished\":\"…`). A last resort, read from the raw page.
fn raw_json_date(html: &str, modified: bool) -> Option<FoundDate> {
    static PUBLISHED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        dates::re(
            r#"(?:"|&quot;|\\")date(?:Published|Created)(?:"|&quot;|\\")\s*:\s*(?:"|&quot;|\\")(\d{4}-\d{2}-\d{2}[0-9T:.+Z-]{0,24})"#,
        )
    });
    static MODIFIED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        dates::re(
            r#"(?:"|&quot;|\\")dateModified(?:"|&quot;|\\")\s*:\s*(?:"|&quot;|\\")(\d{4}-\d{2}-\d{2}[0-9T:.+Z-]{0,24})"#,
        )
    });
    let key = if modified { "dateModified" } else { "date" };
    if !html.contains(key) {
        return None;
    }
    let re = if modified { &MODIFIED } else { &PUBLISHED };
    re.captures_iter(html)
        .take(8)
        .find_map(|c| c.get(1).and_then(|m| dates::parse_value(m.as_str())))
}

/// Whether a `<time>` element sits after a revision label in its text block ("Updated on
/// <time>…</time>"): the label is read from the block text before the element's own text.
fn time_labelled_revision(dom: &Dom, blocks: &[content::Block], id: u32) -> bool {
    let Some(block) = blocks.iter().take_while(|b| b.elem <= id).last() else {
        return false;
    };
    let own = dom.text_of(id);
    if own.is_empty() {
        return false;
    }
    // The label inside the element: <time>Last Updated: Dec 17, 2025</time>.
    if let Some((pos, _)) = dates::find_all(&own, 1).first()
        && is_revision_label(own.get(..*pos).unwrap_or(""))
    {
        return true;
    }
    block
        .text
        .find(own.as_str())
        .is_some_and(|pos| is_revision_label(block.text.get(..pos).unwrap_or("")))
}

/// "By Jane Doe", "Published May 1, 2024 by Jane Doe", or a "Written by" label followed by
/// the name, in the blocks between the headline and the text.
fn text_bylines<'a>(blocks: impl Iterator<Item = &'a content::Block>) -> Vec<String> {
    static BY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        dates::re(r"(?i)(?:^|[\s|·•,–—-])(?:written |posted |words |authored )?by:?\s+(\p{Lu}.*)$")
    });
    static NOT_AUTHOR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        dates::re(
            r"(?i)(?:reviewed|checked|edited|photos?|illustrations?|images?|video|sponsored|powered|presented|brought to you|supported)\s+by:?\s+\p{Lu}",
        )
    });
    let mut out = Vec::new();
    let mut label = false;
    for b in blocks {
        if b.words > 16 {
            label = false;
            continue;
        }
        if label
            && b.words <= 6
            && let Some(n) = metadata::clean_author(&b.text)
        {
            out.push(n);
            break;
        }
        let k = content::key(&b.text);
        label = matches!(
            k.as_str(),
            "written by" | "author" | "by" | "posted by" | "authored by" | "words by"
        );
        if label || NOT_AUTHOR.is_match(&b.text) {
            continue;
        }
        if let Some(c) = BY.captures(&b.text)
            && let Some(n) = c.get(1).and_then(|m| metadata::clean_author(m.as_str()))
        {
            out.push(n);
            break;
        }
    }
    out
}

/// Most streamed segments one page may move (bounds the work on hostile input).
const MAX_SEGMENTS: usize = 512;

/// A React streaming-SSR segment: `<div hidden id="S:x">…</div>`.
struct Segment<'a> {
    id: &'a str,
    outer: std::ops::Range<usize>,
    inner: std::ops::Range<usize>,
}

/// React streaming SSR (Next.js app router and others) sends the page shell first, with a
/// `<template id="B:x">` placeholder (plus a loading fallback) where each suspended part goes,
/// then the finished parts at the end of the body as `<div hidden id="S:x">…</div>`; a script
/// swaps them into place in the browser. Do that swap in the markup, so the article's text
/// sits inside its article box instead of in a pile after the footer. `None` when the page has
/// no such segments.
fn inline_streamed_segments(html: &str) -> Option<String> {
    let segs = streamed_segments(html);
    if segs.is_empty() {
        return None;
    }
    let mut used = vec![false; segs.len()];
    let mut out = String::with_capacity(html.len());
    emit_with_segments(html, 0..html.len(), &segs, &mut used, &mut out, 0);
    Some(out)
}

fn streamed_segments(html: &str) -> Vec<Segment<'_>> {
    let mut segs = Vec::new();
    let finder = memchr::memmem::Finder::new(b"id=\"S:");
    for at in finder.find_iter(html.as_bytes()) {
        if segs.len() >= MAX_SEGMENTS {
            break;
        }
        // The start tag must be `<div hidden id="S:` or `<div hidden="" id="S:`.
        let Some(before) = html.get(..at) else {
            continue;
        };
        let Some(open) = before
            .strip_suffix("<div hidden ")
            .or_else(|| before.strip_suffix("<div hidden=\"\" "))
            .map(str::len)
        else {
            continue;
        };
        let id_start = at + 4;
        let Some(rest) = html.get(id_start..) else {
            continue;
        };
        let Some(id_len) = rest.find('"') else {
            continue;
        };
        let Some(gt) = rest.get(id_len..).and_then(|r| r.find('>')) else {
            continue;
        };
        let inner_start = id_start + id_len + gt + 1;
        // Skip segments nested in one already found (they move with it).
        if segs
            .last()
            .is_some_and(|s: &Segment<'_>| s.outer.end > open)
        {
            continue;
        }
        let Some((inner_end, outer_end)) = div_end(html, inner_start) else {
            continue;
        };
        let Some(id) = html.get(id_start..id_start + id_len) else {
            continue;
        };
        segs.push(Segment {
            id,
            outer: open..outer_end,
            inner: inner_start..inner_end,
        });
    }
    segs
}

/// The end of the `div` whose content starts at `from`: (start of its `</div>`, end of it).
fn div_end(html: &str, from: usize) -> Option<(usize, usize)> {
    let mut depth = 1usize;
    let mut i = from;
    loop {
        let j = i + html.get(i..)?.find('<')?;
        let rest = html.get(j..)?;
        if rest.starts_with("</div") {
            depth -= 1;
            let close = j + rest.find('>')? + 1;
            if depth == 0 {
                return Some((j, close));
            }
            i = close;
        } else if rest.starts_with("<div")
            && rest
                .as_bytes()
                .get(4)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>')
        {
            depth += 1;
            i = j + 4;
        } else if rest.starts_with("<script") {
            i = j + rest.find("</script")? + 8;
        } else if rest.starts_with("<!--") {
            i = j + rest.find("-->")? + 3;
        } else {
            i = j + 1;
        }
    }
}

/// Copy `range` of `html` to `out`, dropping segment boxes and putting each segment's content
/// in place of its placeholder (and its loading fallback). Each segment is emitted once: at its
/// placeholder, or where it stands when no earlier placeholder claimed it.
fn emit_with_segments(
    html: &str,
    range: std::ops::Range<usize>,
    segs: &[Segment<'_>],
    used: &mut [bool],
    out: &mut String,
    depth: usize,
) {
    const PLACEHOLDER: &str = "<template id=\"B:";
    let mut pos = range.start;
    while pos < range.end {
        let next_seg = segs
            .iter()
            .position(|s| s.outer.start >= pos && s.outer.start < range.end);
        let next_tpl = html
            .get(pos..range.end)
            .and_then(|r| r.find(PLACEHOLDER))
            .map(|o| pos + o);
        let seg_at = next_seg
            .and_then(|k| segs.get(k))
            .map_or(usize::MAX, |s| s.outer.start);
        match next_tpl {
            Some(t) if t < seg_at => {
                out.push_str(html.get(pos..t).unwrap_or_default());
                let id_start = t + PLACEHOLDER.len() - 2;
                let tail = html.get(id_start..range.end).unwrap_or_default();
                let (Some(id_len), Some(close)) = (tail.find('"'), tail.find("</template>")) else {
                    out.push_str(html.get(t..range.end).unwrap_or_default());
                    return;
                };
                let tpl_end = id_start + close + "</template>".len();
                let id = tail.get(..id_len).unwrap_or_default();
                let claim = segs
                    .iter()
                    .position(|s| id.strip_prefix("B:") == s.id.strip_prefix("S:"));
                match claim {
                    Some(k) if depth < 8 && !used.get(k).copied().unwrap_or(true) => {
                        if let Some(u) = used.get_mut(k) {
                            *u = true;
                        }
                        if let Some(s) = segs.get(k) {
                            emit_with_segments(html, s.inner.clone(), segs, used, out, depth + 1);
                        }
                        pos = tpl_end;
                        // The fallback shown while loading runs to the boundary's end marker.
                        let after = html.get(pos..range.end).unwrap_or_default();
                        if let Some(end) = after.find("<!--/$-->")
                            && !after.get(..end).unwrap_or_default().contains("<!--$")
                        {
                            pos += end;
                        }
                    }
                    _ => {
                        out.push_str(html.get(t..tpl_end).unwrap_or_default());
                        pos = tpl_end;
                    }
                }
            }
            _ => {
                let Some(k) = next_seg else {
                    out.push_str(html.get(pos..range.end).unwrap_or_default());
                    return;
                };
                let Some(s) = segs.get(k) else { return };
                out.push_str(html.get(pos..s.outer.start).unwrap_or_default());
                if !used.get(k).copied().unwrap_or(true) {
                    if let Some(u) = used.get_mut(k) {
                        *u = true;
                    }
                    out.push_str(html.get(s.outer.clone()).unwrap_or_default());
                }
                pos = s.outer.end.max(pos + 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bylines(html: &str) -> Vec<String> {
        let dom = Dom::parse(html);
        let an = content::analyze(&dom);
        text_bylines(an.blocks.iter())
    }

    #[test]
    fn streamed_segments_move_into_their_placeholders() {
        let html = r#"<html><body><main><article><h1>Cloud stocks</h1><p>Intro.</p><!--$?--><template id="B:1"></template><div class="skeleton">Loading…</div><!--/$--><p>Outro.</p></article></main><footer>Foot</footer><div hidden id="S:1"><p>Segment <b>one</b>.</p><div><p>Nested div.</p></div></div><script>$RC("B:1","S:1")</script><div hidden id="S:9"><p>Orphan.</p></div></body></html>"#;
        let out = inline_streamed_segments(html).unwrap();
        assert_eq!(
            out,
            r#"<html><body><main><article><h1>Cloud stocks</h1><p>Intro.</p><!--$?--><p>Segment <b>one</b>.</p><div><p>Nested div.</p></div><!--/$--><p>Outro.</p></article></main><footer>Foot</footer><script>$RC("B:1","S:1")</script><div hidden id="S:9"><p>Orphan.</p></div></body></html>"#
        );
        assert!(inline_streamed_segments("<div hidden>menu</div>").is_none());
        // Unclosed or self-referencing input stays bounded.
        assert!(inline_streamed_segments(r#"<template id="B:1"></template><div hidden id="S:1"><template id="B:1"></template>"#).is_none());
        let looped = r#"<template id="B:1"></template><div hidden id="S:1"><template id="B:1"></template></div>"#;
        assert_eq!(
            inline_streamed_segments(looped).unwrap(),
            r#"<template id="B:1"></template>"#
        );
    }

    #[test]
    fn bylines_in_text() {
        assert_eq!(
            bylines("<div>Published August 7, 2023 by Nicole Burke</div>"),
            ["Nicole Burke"]
        );
        assert_eq!(
            bylines("<p>Written by</p><p>Edzel Tabing</p>"),
            ["Edzel Tabing"]
        );
        assert!(bylines("<div>Reviewed by Jo Smith</div>").is_empty());
        assert!(bylines("<p>Powered by WordPress</p>").is_empty());
    }
}
