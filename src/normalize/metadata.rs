//! Page metadata from HTML: `<meta>` tags, JSON-LD, `<title>`, headings, `<time>`, bylines.

use super::clean::collapse_whitespace;
use super::content::key;
use super::dates::{self, FoundDate};
use super::dom::{Dom, NodeData, NodeId};
use serde_json::Value;
use std::collections::HashMap;

/// Everything the metadata pass found, before choosing.
#[derive(Debug, Default)]
pub struct Meta {
    /// `<meta name|property|itemprop=… content=…>`, keys lowercased, first value wins.
    pub tags: HashMap<String, String>,
    /// `<title>` text.
    pub title_tag: Option<String>,
    /// `<link rel=canonical>`.
    pub canonical: Option<String>,
    /// `<html lang>` primary subtag.
    pub lang: Option<String>,
    /// JSON-LD article facts.
    pub ld: LdFacts,
    /// `<h1>` elements with their text.
    pub h1: Vec<(NodeId, String)>,
    /// Dates from `<time>` and `itemprop=datePublished` elements: (node, date, strong) where
    /// strong means explicitly marked as the publish date.
    pub element_dates: Vec<(NodeId, FoundDate, bool)>,
    /// Author names from `rel=author`, `itemprop=author` and byline elements.
    pub byline_authors: Vec<String>,
    /// Short texts of elements whose class/id names a date (for text date search).
    pub date_texts: Vec<(NodeId, String)>,
    /// Names after a "Written by" label anywhere in the page (author boxes), document order.
    pub written_by: Vec<String>,
    /// A `<meta name|property>` tag declares a publish date (`article:published_time`,
    /// `pubdate`, …); microdata `itemprop` metas and JSON-LD do not count.
    pub declares_publish_tag: bool,
}

/// Facts from JSON-LD blocks (article-like objects first).
#[derive(Debug, Default)]
pub struct LdFacts {
    /// `headline`.
    pub headline: Option<String>,
    /// `datePublished` (or `dateCreated`).
    pub published: Option<String>,
    /// Author names.
    pub authors: Vec<String>,
    /// Every author object is an organization.
    pub authors_are_orgs: bool,
    /// `publisher.name`.
    pub publisher: Option<String>,
    /// `dateModified`.
    pub modified: Option<String>,
    /// `articleBody` (a fallback for pages rendered by scripts).
    pub article_body: Option<String>,
}

const ARTICLE_TYPES: &[&str] = &[
    "article",
    "newsarticle",
    "blogposting",
    "reportagenews",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "techarticle",
    "scholarlyarticle",
    "socialmediaposting",
    "liveblogposting",
    "posting",
    "report",
    "medicalwebpage",
];

/// Read metadata from the DOM.
pub fn read(dom: &Dom) -> Meta {
    let mut m = Meta::default();
    let mut ld_blocks: Vec<String> = Vec::new();
    for (i, node) in dom.nodes.iter().enumerate() {
        let NodeData::Element(el) = &node.data else {
            continue;
        };
        let id = i as NodeId;
        match &*el.name {
            "html" if m.lang.is_none() => {
                m.lang = el
                    .attr("lang")
                    .or_else(|| el.attr("xml:lang"))
                    .map(primary_lang)
                    .filter(|l| (2..=3).contains(&l.len()));
            }
            "meta" => {
                let key = el
                    .attr("property")
                    .or_else(|| el.attr("name"))
                    .or_else(|| el.attr("itemprop"));
                if let (Some(k), Some(v)) = (key, el.attr("content")) {
                    let v = collapse_whitespace(v);
                    if !v.is_empty() {
                        let k = k.trim().to_ascii_lowercase();
                        let named = el.attr("property").is_some() || el.attr("name").is_some();
                        if named && is_declared_publish_key(&k) {
                            m.declares_publish_tag = true;
                        }
                        m.tags.entry(k).or_insert(v);
                    }
                }
            }
            "title" if m.title_tag.is_none() => {
                let t = dom.text_of(id);
                if !t.is_empty() {
                    m.title_tag = Some(t);
                }
            }
            "link" => {
                let rel = el.attr("rel").unwrap_or_default().to_ascii_lowercase();
                if rel.split_whitespace().any(|r| r == "canonical") && m.canonical.is_none() {
                    m.canonical = el.attr("href").map(str::to_string);
                }
            }
            "script" => {
                let ty = el.attr("type").unwrap_or_default().to_ascii_lowercase();
                if ty.contains("ld+json") && ld_blocks.len() < 16 {
                    let first = node.first_child;
                    if let Some(NodeData::Text(t)) = dom.node(first).map(|n| &n.data) {
                        ld_blocks.push(t.clone());
                    }
                }
            }
            "h1" => {
                let t = heading_text(dom, id);
                if !t.is_empty() && m.h1.len() < 8 {
                    m.h1.push((id, t));
                }
            }
            _ => {}
        }
        let itemprop = el.attr("itemprop").unwrap_or_default();
        let modified = itemprop.eq_ignore_ascii_case("dateModified")
            || el.attr("class").is_some_and(|c| {
                let c = c.to_ascii_lowercase();
                c.contains("modif") || c.contains("updated")
            });
        if (&*el.name == "time" || itemprop.eq_ignore_ascii_case("datePublished")) && !modified {
            let strong = itemprop.eq_ignore_ascii_case("datePublished")
                || el.attr("pubdate").is_some()
                || el
                    .attr("class")
                    .is_some_and(|c| c.to_ascii_lowercase().contains("publish"));
            let value = el
                .attr("datetime")
                .or_else(|| el.attr("content"))
                .map(str::to_string)
                .unwrap_or_else(|| dom.text_of(id));
            if let Some(d) = dates::parse_value(&value)
                && m.element_dates.len() < 64
            {
                m.element_dates.push((id, d, strong));
            }
        }
        if m.written_by.len() < 4
            && let Some(name) = written_by_name(dom, node)
        {
            m.written_by.push(name);
        }
        if &*el.name != "meta" && &*el.name != "html" && &*el.name != "body" {
            let rel = el.attr("rel").unwrap_or_default();
            let class = el.attr("class").unwrap_or_default().to_ascii_lowercase();
            let is_author = itemprop.eq_ignore_ascii_case("author")
                || rel.eq_ignore_ascii_case("author")
                || class.split_whitespace().any(is_author_class);
            // Small subtrees only: a wrapper around the page is no byline (and reading its
            // text for every such wrapper would be quadratic).
            if is_author && m.byline_authors.len() < 8 && dom.subtree_end(id) - i < 64 {
                let t = dom.text_of(id);
                if let Some(name) = clean_author(&t) {
                    m.byline_authors.push(name);
                }
            }
            let idc = format!("{class} {}", el.attr("id").unwrap_or_default()).to_ascii_lowercase();
            if (idc.contains("date")
                || idc.contains("time")
                || idc.contains("publish")
                || idc.contains("posted")
                || idc.contains("byline")
                || idc.contains("meta"))
                && m.date_texts.len() < 32
            {
                let t = dom.text_of(id);
                if !t.is_empty() && t.len() < 200 {
                    m.date_texts.push((id, t));
                }
            }
        }
    }
    for block in &ld_blocks {
        read_json_ld(block, &mut m.ld);
    }
    m
}

/// The name in a "Written by Jane Doe" element, or in the element after a bare "Written by"
/// label. Only elements whose first child is text starting with the label are read, so the
/// cost stays linear.
fn written_by_name(dom: &Dom, node: &super::dom::Node) -> Option<String> {
    let NodeData::Text(first) = &dom.node(node.first_child)?.data else {
        return None;
    };
    let head = first.trim_start();
    let label = head.get(..10)?;
    if !label.eq_ignore_ascii_case("written by") {
        return None;
    }
    let parent = dom.node(first_parent(node, dom)?)?;
    let own = dom.text_of(first_parent(node, dom)?);
    if own.len() > 120 {
        return None;
    }
    if let Some(name) = clean_author(&own) {
        return Some(name);
    }
    // A bare label: the name is in the next element.
    let mut sib = parent.next_sibling;
    for _ in 0..3 {
        let n = dom.node(sib)?;
        match &n.data {
            NodeData::Element(_) => {
                let t = dom.text_of(sib);
                return if t.len() <= 80 {
                    clean_author(&t)
                } else {
                    None
                };
            }
            NodeData::Text(t) if !t.trim().is_empty() => return clean_author(t),
            _ => sib = n.next_sibling,
        }
    }
    None
}

/// The id of `node` (an element whose first child was just read).
fn first_parent(node: &super::dom::Node, dom: &Dom) -> Option<NodeId> {
    dom.node(node.first_child).map(|c| c.parent)
}

/// The text of a heading, with a space where a line break or block inside it separates words
/// ("WEEKEND<br>CODING" is "WEEKEND CODING", not "WEEKENDCODING").
fn heading_text(dom: &Dom, id: NodeId) -> String {
    dom.text_of(id)
}

/// Class tokens that name the element holding an author's name (not a bio, photo or box).
fn is_author_class(c: &str) -> bool {
    // Every rule below needs one of these: most class tokens leave here, unallocated.
    if !(c.contains("auth") || c.contains("byline") || c == "fn") {
        return false;
    }
    // CSS-module names end in a short hash ("author_author__4ceom"): judge the name before it.
    let c = match c.rsplit_once("__") {
        Some((base, hash))
            if !base.is_empty()
                && (4..=6).contains(&hash.len())
                && hash.chars().any(|ch| ch.is_ascii_digit())
                && hash.chars().all(|ch| ch.is_ascii_alphanumeric()) =>
        {
            base
        }
        _ => c,
    };
    let squashed: String = c.chars().filter(|ch| !matches!(ch, '-' | '_')).collect();
    c.ends_with("__author")
        || c.ends_with("_author")
        || squashed.contains("authorboxname")
        || squashed.contains("authordetailsname")
        || squashed.contains("authorinfoname")
        || squashed.contains("bylinename")
        || squashed.contains("bylineauthor")
        || squashed.starts_with("authorbyline")
        || c == "author"
        || c == "byline"
        || c == "fn"
        || c == "the-author"
        || c == "post-author"
        || c == "entry-author"
        || c == "article-author"
        || c.ends_with("byline__name")
        || squashed.contains("authorname")
        || squashed.ends_with("authorlink")
        || squashed.ends_with("metaauthor")
}

fn primary_lang(lang: &str) -> String {
    lang.split(['-', '_'])
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn type_names(v: &Value) -> Vec<String> {
    match v.get("@type") {
        Some(Value::String(s)) => vec![s.to_ascii_lowercase()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_ascii_lowercase)
            .collect(),
        _ => Vec::new(),
    }
}

fn str_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(collapse_whitespace(s)).filter(|s| !s.is_empty()),
        Value::Array(a) => a.iter().find_map(|x| str_of(Some(x))),
        Value::Object(_) => str_of(v?.get("name")).or_else(|| str_of(v?.get("@value"))),
        _ => None,
    }
}

fn names_of(v: Option<&Value>, out: &mut Vec<String>) {
    match v {
        Some(Value::String(s)) => {
            if let Some(n) = clean_author(s) {
                out.push(n);
            }
        }
        Some(Value::Array(a)) => {
            for x in a.iter().take(10) {
                names_of(Some(x), out);
            }
        }
        Some(Value::Object(_)) => {
            if let Some(n) = v
                .and_then(|o| str_of(o.get("name")))
                .and_then(|s| clean_author(&s))
            {
                out.push(n);
            }
        }
        _ => {}
    }
}

/// Replace `{"@id": …}` references (Yoast-style graphs) by the objects they point to.
fn resolve_refs(v: Option<&Value>, by_id: &HashMap<&str, &Value>) -> Option<Value> {
    let resolve_one = |x: &Value| -> Value {
        match x.get("@id").and_then(Value::as_str) {
            Some(id) if x.get("name").is_none() => by_id.get(id).map_or(x, |r| *r).clone(),
            _ => x.clone(),
        }
    };
    match v? {
        Value::Array(a) => Some(Value::Array(a.iter().take(10).map(resolve_one).collect())),
        x @ Value::Object(_) => Some(resolve_one(x)),
        x => Some(x.clone()),
    }
}

/// Lowercase `@type`s of the author objects (empty for plain strings).
fn author_types(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().flat_map(type_names).collect(),
        Some(o @ Value::Object(_)) => type_names(o),
        _ => Vec::new(),
    }
}

/// Merge the facts of one JSON-LD block: article-typed objects win over others.
fn read_json_ld(text: &str, facts: &mut LdFacts) {
    let text = text
        .trim()
        .trim_start_matches("<!--")
        .trim_end_matches("-->");
    let Ok(root) = serde_json::from_str::<Value>(text) else {
        return;
    };
    // Iterative walk over objects (bounded).
    let mut by_id: HashMap<&str, &Value> = HashMap::new();
    let mut stack: Vec<&Value> = vec![&root];
    let mut article: Option<&Value> = None;
    let mut any_with_date: Option<&Value> = None;
    let mut visited = 0;
    while let Some(v) = stack.pop() {
        visited += 1;
        if visited > 2000 {
            break;
        }
        match v {
            Value::Array(a) => stack.extend(a.iter().rev()),
            Value::Object(o) => {
                let types = type_names(v);
                if article.is_none() && types.iter().any(|t| ARTICLE_TYPES.contains(&t.as_str())) {
                    article = Some(v);
                }
                if let Some(id) = o.get("@id").and_then(Value::as_str)
                    && o.contains_key("name")
                    && by_id.len() < 256
                {
                    by_id.entry(id).or_insert(v);
                }
                if any_with_date.is_none() && o.contains_key("datePublished") {
                    any_with_date = Some(v);
                }
                if let Some(g) = o.get("@graph") {
                    stack.push(g);
                }
                if let Some(e) = o.get("mainEntity") {
                    stack.push(e);
                }
            }
            _ => {}
        }
    }
    if let Some(a) = article {
        if facts.headline.is_none() {
            facts.headline = str_of(a.get("headline")).or_else(|| str_of(a.get("name")));
        }
        if facts.published.is_none() {
            facts.published =
                str_of(a.get("datePublished")).or_else(|| str_of(a.get("dateCreated")));
        }
        if facts.authors.is_empty() {
            let resolved = resolve_refs(a.get("author"), &by_id);
            names_of(resolved.as_ref(), &mut facts.authors);
            if facts.authors.is_empty() {
                names_of(a.get("creator"), &mut facts.authors);
            }
            facts.authors_are_orgs = author_types(resolved.as_ref())
                .iter()
                .all(|t| t.contains("organization") || t.contains("corporation"))
                && !facts.authors.is_empty();
        }
        if facts.modified.is_none() {
            facts.modified = str_of(a.get("dateModified"));
        }
        if facts.publisher.is_none() {
            facts.publisher = a.get("publisher").and_then(|p| str_of(p.get("name")));
        }
        if facts.article_body.is_none() {
            facts.article_body = a
                .get("articleBody")
                .and_then(Value::as_str)
                .map(str::to_string);
        }
    }
    if facts.published.is_none()
        && let Some(o) = any_with_date
    {
        facts.published = str_of(o.get("datePublished"));
    }
}

/// Clean a byline into a name: drop "By", roles, dates and separators; `None` if it does not
/// look like a person or organization name.
pub fn clean_author(raw: &str) -> Option<String> {
    let mut s = if raw.contains('&') {
        collapse_whitespace(&super::entities::decode_entities(raw))
    } else {
        collapse_whitespace(raw)
    };
    for prefix in [
        "authored by:",
        "authored by",
        "written by:",
        "written by",
        "posted by",
        "reviewed by",
        "words by",
        "author:",
        "authors:",
        "by:",
        "by ",
        "von ",
        "par ",
        "por ",
        "di ",
    ] {
        if s.len() > prefix.len()
            && s.get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        {
            s = s.get(prefix.len()..).unwrap_or_default().trim().to_string();
        }
    }
    // Cut at separators that start other byline facts (dates, "Updated", pipes).
    for sep in [
        " | ",
        " · ",
        " • ",
        "\u{2022}",
        " - ",
        " — ",
        " ⋅ ",
        "\u{22c5}",
        ", the ",
        " on ",
        " is a ",
        " is an ",
        " at ",
        "reviewed by",
        " published",
        " last updated",
        " last modified",
        " updated",
    ] {
        if let Some(pos) = s.to_lowercase().find(sep)
            && pos > 0
        {
            // Lowercasing can change byte lengths only for non-ASCII; guard with char boundaries.
            if s.is_char_boundary(pos) {
                s.truncate(pos);
            }
        }
    }
    // "Sofia Gonzalez December 2, 2025": a date after the name.
    if let Some((pos, _)) = dates::find_all(&s, 1).first()
        && *pos > 0
        && s.is_char_boundary(*pos)
    {
        s.truncate(*pos);
    }
    // "the Lavazza Team 2–3 minutes": a reading time after the name.
    if let Some(m) = READING_TIME.find(&s) {
        s.truncate(m.start());
    }
    let mut s = s
        .trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, ',' | ':' | '|' | '-' | '●' | '•' | '*' | '.')
        })
        .to_string();
    // "Trevor Jackins Trevor Jackins" (or run together, "Trevor JackinsTrevor Jackins"): the
    // name twice (visible and screen-reader copies).
    let half = s.len() / 2;
    let second = if s.len() % 2 == 1 && s.as_bytes().get(half) == Some(&b' ') {
        half + 1
    } else {
        half
    };
    if s.len() >= 6 && s.is_char_boundary(half) && s.get(..half) == s.get(second..) {
        s.truncate(half);
    }
    // "Keith Barry Senior Autos Reporter": a job title run into the name by the markup.
    if !s.contains(',') {
        let words: Vec<&str> = s.split_whitespace().collect();
        if let Some(pos) = words.iter().position(|w| is_role_word(w))
            && pos >= 2
        {
            s = words.get(..pos).unwrap_or_default().join(" ");
        }
    }
    let words = s.split_whitespace().count();
    if s.is_empty()
        || is_byline_label(&s)
        || words > 8
        || s.contains("://")
        || s.contains('@')
        || s.chars().filter(char::is_ascii_digit).count() > 2
        || !s.chars().next().is_some_and(char::is_alphabetic)
    {
        return None;
    }
    Some(s)
}

/// "2–3 minutes", "5 min read" after a name.
static READING_TIME: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| dates::re(r"(?i)\s\d+(?:\s*[–-]\s*\d+)?\s*min(?:ute)?s?\b"));

/// Labels and headings that byline markup holds instead of a name ("Written By", "In this
/// article", "The Author").
fn is_byline_label(s: &str) -> bool {
    matches!(
        key(s).as_str(),
        "written by"
            | "by"
            | "author"
            | "authors"
            | "the author"
            | "about the author"
            | "posted by"
            | "in this article"
            | "share"
            | "follow"
            | "updated"
            | "last updated"
            | "published"
            | "posted"
            | "mon"
            | "tue"
            | "wed"
            | "thu"
            | "fri"
            | "sat"
            | "sun"
            | "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
    )
}

fn is_role_word(w: &str) -> bool {
    matches!(
        w.to_lowercase().as_str(),
        "writer"
            | "editor"
            | "reporter"
            | "contributor"
            | "correspondent"
            | "columnist"
            | "journalist"
            | "founder"
            | "co-founder"
            | "senior"
            | "staff"
            | "contributing"
            | "author"
            | "freelance"
            | "associate"
            | "managing"
            | "executive"
            | "chief"
            | "lead"
            | "head"
    )
}

/// The headline: the visible `<h1>` (outside chrome, not the site's logo) — preferring one that
/// matches the metadata title — else the metadata title without its site-name part. Returns
/// the text and the `<h1>` node it came from.
pub fn choose_title(
    m: &Meta,
    site_name: Option<&str>,
    host: Option<&str>,
    in_chrome: impl Fn(NodeId) -> bool,
) -> (Option<String>, Option<NodeId>) {
    let meta_title = m
        .tags
        .get("og:title")
        .or_else(|| m.tags.get("twitter:title"))
        .cloned()
        .or_else(|| m.ld.headline.clone())
        .or_else(|| m.title_tag.clone());
    let cleaned = meta_title
        .as_deref()
        .map(|t| strip_site_name(t, site_name, host));
    let candidates: Vec<&str> = [
        cleaned.as_deref(),
        m.ld.headline.as_deref(),
        m.title_tag.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let site_key = site_name.map(key).unwrap_or_default();
    let host_key = host
        .map(|h| h.split('.').next().unwrap_or_default().to_lowercase())
        .unwrap_or_default();
    let eligible: Vec<&(NodeId, String)> =
        m.h1.iter()
            .filter(|(id, h)| {
                let hk = key(h);
                let compact: String = hk.chars().filter(|c| !c.is_whitespace()).collect();
                let words = hk.split(' ').count();
                !hk.is_empty()
                    && words <= 40
                    && hk != site_key
                    && compact != host_key
                    && !(host_key.len() >= 4
                        && compact.len() >= 4
                        && (compact.starts_with(&host_key) || host_key.starts_with(&compact)))
                    && !in_chrome(*id)
            })
            .collect();
    let tidy = |h: &str| tidy_headline(h, site_name, host);
    let raw_keys: Vec<String> = [
        m.title_tag.as_deref(),
        m.tags.get("og:title").map(String::as_str),
    ]
    .into_iter()
    .flatten()
    .map(key)
    .collect();
    let cleaned_key = cleaned.as_deref().map(key).unwrap_or_default();
    // A rejected masthead `<h1>` still marks where the article header starts.
    let anchor = eligible.first().map(|(id, _)| *id);
    let eligible: Vec<&(NodeId, String)> = eligible
        .into_iter()
        .filter(|(_, h)| !is_title_site_part(&key(h), &cleaned_key, &raw_keys))
        .collect();
    // The first visible `<h1>` names the blog ("RogerBW's Blog"): later `<h1>`s that do not
    // match the metadata are post or section headings, not the headline. (A plain logo `<h1>`
    // with the site's name is often followed by the real headline, so it does not count.)
    let masthead_first =
        m.h1.iter()
            .find(|(id, h)| !key(h).is_empty() && !in_chrome(*id))
            .is_some_and(|(_, h)| {
                let hk = key(h);
                let compact: String = hk.chars().filter(|c| !c.is_whitespace()).collect();
                let logo = hk == site_key || (!host_key.is_empty() && compact == host_key);
                is_blog_name(&hk) || (!logo && is_title_site_part(&hk, &cleaned_key, &raw_keys))
            });
    for (id, h) in &eligible {
        let hk = key(h);
        for c in &candidates {
            let ck = key(c);
            // Characters the page lost ("Beginner? Guide" for "Beginner's Guide"): the
            // metadata spelling is the headline.
            if ck != hk
                && h.contains(['?', '\u{fffd}'])
                && without_letters(&hk) == without_letters(&ck)
            {
                return (Some(strip_site_name(c, site_name, host)), Some(*id));
            }
            if ck == hk || (hk.len() >= 10 && ck.contains(&hk)) {
                return (Some(tidy(h)), Some(*id));
            }
            if ck.len() >= 10 && hk.contains(&ck) {
                // An `<h1>` that swallowed the standfirst or the first paragraph: the title
                // is the metadata part of it.
                let (hw, cw) = (hk.split(' ').count(), ck.split(' ').count());
                if hw > 20 && hw > 2 * cw && cw >= 3 {
                    return (Some(strip_site_name(c, site_name, host)), Some(*id));
                }
                return (Some(tidy(h)), Some(*id));
            }
        }
    }
    if !masthead_first
        && let Some((id, h)) = eligible
            .iter()
            .find(|(_, h)| !is_blog_name(&key(h)) && !is_caps_label(h, &cleaned_key))
    {
        return (Some(tidy(h)), Some(*id));
    }
    (
        cleaned
            .map(|c| tidy_title(&c, site_name, host))
            .filter(|c| !c.is_empty()),
        anchor,
    )
}

/// A key without its one-letter words ("beginner s guide" → "beginner guide").
fn without_letters(k: &str) -> String {
    k.split(' ')
        .filter(|w| w.chars().count() > 1)
        .collect::<Vec<_>>()
        .join(" ")
}

/// An all-capitals `<h1>` whose words differ from the metadata headline: a styled section
/// label ("SUPPORTING GAAP COMPLIANCE") rather than the headline.
fn is_caps_label(h: &str, cleaned_key: &str) -> bool {
    let letters = h.chars().filter(|c| c.is_alphabetic());
    let caps = letters.clone().all(char::is_uppercase) && letters.count() >= 6;
    if !caps || cleaned_key.is_empty() {
        return false;
    }
    let mut a: Vec<String> = key(h).split(' ').map(str::to_string).collect();
    let mut b: Vec<&str> = cleaned_key.split(' ').collect();
    a.sort();
    b.sort();
    a != b
}

/// An `<h1>` that names the blog rather than the story ("Antoyo's Blog", "Our Blog").
fn is_blog_name(hk: &str) -> bool {
    hk.is_empty() || (hk.rsplit(' ').next() == Some("blog") && hk.split(' ').count() <= 4)
}

/// An `<h1>` that is the part of `<title>` that is not the headline: "Lessons Learned" in
/// "Lessons Learned: The lean startup" when the metadata headline is "The lean startup".
fn is_title_site_part(hk: &str, cleaned_key: &str, raw_keys: &[String]) -> bool {
    // Site names are shorter than the headline they stand beside.
    !hk.is_empty()
        && !cleaned_key.is_empty()
        && hk != cleaned_key
        && hk.split(' ').count() <= cleaned_key.split(' ').count()
        && raw_keys.iter().any(|rk| {
            rk.strip_prefix(hk)
                .and_then(|rest| rest.strip_prefix(' '))
                .is_some_and(|rest| rest == cleaned_key)
                || rk
                    .strip_suffix(hk)
                    .and_then(|rest| rest.strip_suffix(' '))
                    .is_some_and(|rest| rest == cleaned_key)
        })
}

/// Section labels some sites print inside the `<h1>` before the headline.
const HEADLINE_LABELS: &[&str] = &["blog:", "title:", "article:", "post:"];

/// Tidy a visible headline: tagline after a pipe, a section label ("Blog: …"), the host name
/// in front ("example.com Story"), the site name after a dash ("Story – Site"), and a date
/// printed in the same element ("Dec 18 2025 Story", "Story January 1, 2025").
fn tidy_headline(h: &str, site_name: Option<&str>, host: Option<&str>) -> String {
    tidy_title(&headline_part(h), site_name, host)
}

/// The tidying of [`tidy_headline`] that also suits a metadata title (no tagline cut).
fn tidy_title(h: &str, site_name: Option<&str>, host: Option<&str>) -> String {
    let mut t = h.trim().to_string();
    // "Story title (example.com) 87": an aggregator's source domain and comment count.
    if let Some(m) = SOURCE_DOMAIN.find(&t)
        && t.get(..m.start())
            .is_some_and(|r| r.split_whitespace().count() >= 3)
    {
        t.truncate(m.start());
    }
    for label in HEADLINE_LABELS {
        if t.len() > label.len() + 8
            && t.get(..label.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(label))
        {
            t = t.get(label.len()..).unwrap_or_default().trim().to_string();
        }
    }
    if let Some(host) = host {
        let bare = host.trim_start_matches("www.").to_lowercase();
        if let Some((first, rest)) = t.split_once(' ')
            && first.to_lowercase() == bare
            && rest.split_whitespace().count() >= 2
        {
            t = rest.trim().to_string();
        }
    }
    if site_name.is_some() || host.is_some() {
        for sep in [" – ", " — ", " - ", " | "] {
            if let Some((head, tail)) = t.rsplit_once(sep)
                && head.split_whitespace().count() >= 3
                && is_known_site(tail, site_name, host)
            {
                t = head.trim().to_string();
                break;
            }
        }
    }
    if let Some(m) = LEADING_DATE.find(&t)
        && dates::find_first(m.as_str()).is_some()
        && t.get(m.end()..)
            .is_some_and(|r| r.split_whitespace().count() >= 2)
    {
        t = t.get(m.end()..).unwrap_or_default().trim().to_string();
    }
    if let Some(m) = TRAILING_DATE.find(&t)
        && dates::find_first(m.as_str()).is_some()
        && t.get(..m.start())
            .is_some_and(|r| r.split_whitespace().count() >= 3)
    {
        t = t.get(..m.start()).unwrap_or_default().trim().to_string();
    }
    t
}

/// "(latimes.com)" or "(latimes.com) 87" ending a headline.
static SOURCE_DOMAIN: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| dates::re(r"\s*\((?:[\w-]+\.)+[a-z]{2,}\)(?:\s+\d+)?\s*$"));

/// "Dec 18 2025 ", "December 18, 2025 · ", "18 December 2025 ", "2025-12-18 " at the start.
static LEADING_DATE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    dates::re(
        r"^(?:\p{L}{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\.?\s+\p{L}{3,9}\.?,?\s+\d{4}|\d{4}-\d{2}-\d{2})\s*[·•|:–—-]?\s+",
    )
});

/// The same formats at the end of the headline.
static TRAILING_DATE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    dates::re(
        r"\s+[·•|–—-]?\s*(?:\p{L}{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\.?\s+\p{L}{3,9}\.?,?\s+\d{4}|\d{4}-\d{2}-\d{2})$",
    )
});

/// Whether a title part is the known site name or the host ("Artlyst", "example.com").
fn is_known_site(part: &str, site_name: Option<&str>, host: Option<&str>) -> bool {
    let k = key(part);
    if k.is_empty() {
        return false;
    }
    let compact: String = k.chars().filter(|c| !c.is_whitespace()).collect();
    site_name.is_some_and(|s| key(s) == k)
        || host.is_some_and(|h| {
            let bare = h.trim_start_matches("www.").to_lowercase();
            let first = bare.split('.').next().unwrap_or_default();
            compact == bare.replace('.', "") || (first.len() >= 3 && compact == first)
        })
}

/// A pipe in a visible headline separates the headline from a tagline ("Best Movers 2025 |
/// Top 19 Companies"): keep the headline when it stands on its own (three words or more).
fn headline_part(h: &str) -> String {
    match h.split_once(" | ") {
        Some((first, _)) if first.split_whitespace().count() >= 3 => first.trim().to_string(),
        _ => h.to_string(),
    }
}

/// "Headline | Site", "Site - Headline", "Headline :: Section :: Site" → "Headline".
pub fn strip_site_name(title: &str, site_name: Option<&str>, host: Option<&str>) -> String {
    const SEPS: &[&str] = &[
        " | ", " - ", " – ", " — ", " :: ", " » ", " · ", " • ", " ~ ",
    ];
    let site_key = site_name.map(key).unwrap_or_default();
    let host_key = host
        .map(|h| h.split('.').next().unwrap_or_default().to_lowercase())
        .unwrap_or_default();
    let is_site = |part: &str| {
        let k = key(part);
        let compact: String = k.chars().filter(|c| !c.is_whitespace()).collect();
        (!site_key.is_empty() && (k == site_key || site_key.contains(&k) && k.len() >= 3))
            || (!host_key.is_empty() && compact == host_key)
            || (!host_key.is_empty() && compact.len() >= 4 && host_key.contains(&compact))
    };
    for sep in SEPS {
        if !title.contains(sep) {
            continue;
        }
        let parts: Vec<&str> = title.split(sep).map(str::trim).collect();
        let kept: Vec<&str> = parts.iter().copied().filter(|p| !is_site(p)).collect();
        if kept.len() < parts.len() && !kept.is_empty() {
            return kept.join(sep);
        }
        // No known site name: drop a short trailing part ("Headline | Brand").
        if let (Some(first), Some(last)) = (parts.first(), parts.last())
            && parts.len() >= 2
        {
            let wl = last.split_whitespace().count();
            let wf = first.split_whitespace().count();
            if wl <= 4 && wf > wl {
                return parts[..parts.len() - 1].join(sep);
            }
            if wf <= 3 && last.split_whitespace().count() > wf + 2 && *sep != " - " {
                return parts[1..].join(sep);
            }
        }
    }
    title.trim().to_string()
}

/// Author names by preference: JSON-LD people, `<meta name=author>`, Twitter "Written by"
/// labels, byline elements, then bylines written in the text ("By Jane Doe"). Names that are
/// the site or publisher are used only when nothing else is found.
pub fn choose_authors(
    m: &Meta,
    site_name: Option<&str>,
    host: Option<&str>,
    text_bylines: &[String],
) -> Vec<String> {
    let site_keys: Vec<String> = [site_name, m.ld.publisher.as_deref()]
        .into_iter()
        .flatten()
        .map(|s| key(s).replace(' ', ""))
        .filter(|k| !k.is_empty())
        .collect();
    let host_key = host
        .map(|h| {
            h.trim_start_matches("www.")
                .split('.')
                .next()
                .unwrap_or_default()
                .to_lowercase()
        })
        .unwrap_or_default();
    let is_site = |n: &str| {
        let k = key(n).replace(' ', "");
        site_keys.contains(&k)
            || (host_key.len() >= 3 && (k == host_key || k.starts_with(&host_key)))
    };
    let mut sources: Vec<Vec<String>> = Vec::new();
    if !m.ld.authors.is_empty() && !m.ld.authors_are_orgs {
        sources.push(m.ld.authors.clone());
    }
    for k in [
        "author",
        "article:author",
        "parsely-author",
        "sailthru.author",
        "dc.creator",
        "byl",
    ] {
        if let Some(a) = m.tags.get(k).and_then(|v| clean_author(v)) {
            sources.push(vec![a]);
        }
    }
    for n in 1..=4 {
        let label = m.tags.get(&format!("twitter:label{n}"));
        if label.is_some_and(|l| {
            let l = l.to_lowercase();
            l.contains("written by") || l == "author"
        }) && let Some(a) = m
            .tags
            .get(&format!("twitter:data{n}"))
            .and_then(|v| clean_author(v))
        {
            sources.push(vec![a]);
        }
    }
    if !m.byline_authors.is_empty() {
        sources.push(m.byline_authors.iter().take(3).cloned().collect());
    }
    if !text_bylines.is_empty() {
        sources.push(text_bylines.iter().take(3).cloned().collect());
    }
    if let Some(first) = m.written_by.first() {
        sources.push(vec![first.clone()]);
    }
    if !m.ld.authors.is_empty() && m.ld.authors_are_orgs {
        sources.push(m.ld.authors.clone());
    }
    let dedup = |names: &[String]| {
        let mut out: Vec<String> = Vec::new();
        for n in names {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(n)) && out.len() < 10 {
                out.push(n.clone());
            }
        }
        out
    };
    if let Some(best) = sources
        .iter()
        .find(|names| names.iter().any(|n| !is_site(n) && !is_generic_author(n)))
    {
        return dedup(best);
    }
    sources.first().map(|n| dedup(n)).unwrap_or_default()
}

/// Placeholder author names from templates.
fn is_generic_author(n: &str) -> bool {
    let k = key(n);
    matches!(
        k.as_str(),
        "admin" | "administrator" | "author" | "name" | "written by" | "editor" | "staff" | "guest"
    ) || (n.contains('.') && !n.trim().contains(' '))
}

/// Meta tags carrying the publish date, best first.
const DATE_TAGS: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "published_time",
    "datepublished",
    "article.published",
    "article_date_original",
    "publication_date",
    "citation_publication_date",
    "citation_online_date",
    "citation_date",
    "publish_date",
    "publish-date",
    "publishdate",
    "pubdate",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "dcterms.date",
    "sailthru.date",
    "parsely-pub-date",
    "cxenseparse:recs:publishtime",
    "originalpublicationdate",
    "article:post_date",
    "created",
    "datecreated",
    "published",
];

/// Meta tags carrying the last-modified date: a last resort, after every other source.
const MODIFIED_TAGS: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
];

/// Whether a meta key names a publish date ("w-published-date", "og:article:published_time").
fn is_publish_key(k: &str) -> bool {
    (k.contains("publish") || k.contains("pubdate"))
        && !k.contains("modif")
        && !k.contains("updat")
        && !k.contains("expir")
        && !k.contains("publisher")
}

/// Whether a `<meta name|property>` key declares the publish date: the publish-date tags
/// (not the schema.org property names, which are microdata when they appear on `<meta>`).
fn is_declared_publish_key(k: &str) -> bool {
    (DATE_TAGS.contains(&k) && !matches!(k, "datepublished" | "datecreated" | "created"))
        || is_publish_key(k)
}

/// The publish date from metadata: JSON-LD, then meta tags, then marked `<time>` elements.
/// Returns the date and whether it came from JSON-LD (`true`) or meta (`false`).
pub fn meta_date(m: &Meta) -> Option<(FoundDate, bool)> {
    if let Some(d) = m.ld.published.as_deref().and_then(dates::parse_value) {
        return Some((d, true));
    }
    for k in DATE_TAGS {
        if let Some(d) = m.tags.get(*k).and_then(|v| dates::parse_value(v)) {
            return Some((d, false));
        }
    }
    let mut keys: Vec<&String> = m.tags.keys().filter(|k| is_publish_key(k)).collect();
    keys.sort();
    keys.into_iter()
        .find_map(|k| m.tags.get(k).and_then(|v| dates::parse_value(v)))
        .map(|d| (d, false))
}

/// Settle a date read from the page text against the metadata publish date: "09.10.2024"
/// read day-first when the metadata says 2024-09-10 was written month-first (and the other
/// way round), so take the metadata date when it is the same day with month and day swapped.
pub fn reconcile_date(
    date: Option<(FoundDate, super::DateSource)>,
    m: &Meta,
) -> Option<(FoundDate, super::DateSource)> {
    use super::DateSource;
    let (d, source) = date?;
    if !matches!(
        source,
        DateSource::Dateline | DateSource::Text | DateSource::Time
    ) {
        return Some((d, source));
    }
    let Some((md, ld)) = meta_date(m) else {
        return Some((d, source));
    };
    if swapped_day_month(d.at.date_naive(), md.at.date_naive()) {
        return Some((md, meta_source(ld)));
    }
    Some((d, source))
}

/// Where a metadata date came from: JSON-LD or a meta tag.
fn meta_source(json_ld: bool) -> super::DateSource {
    if json_ld {
        super::DateSource::JsonLd
    } else {
        super::DateSource::Meta
    }
}

/// Prefer the original publish date over a revision date shown with the headline: pages show
/// "Updated March 7, 2025" (or a bare date that is the page's `dateModified`) next to the
/// headline while the metadata still carries the first publish date, and the publish date is
/// the one asked for (htmldate's `original_date`). A headline date equal to the metadata
/// modified date gives way to an earlier metadata publish date — when the page's meta tags
/// declare a publish date (`article:published_time`, …). Pages whose only publish date is in
/// structured data (JSON-LD, microdata) while readers are shown an update date are dated by
/// the date shown: their structured `datePublished` is often the CMS's creation date of a
/// page since rewritten, and the shown date is the one the page stands by.
pub fn prefer_original(
    date: Option<(FoundDate, super::DateSource)>,
    m: &Meta,
    labelled_revision: bool,
    plausible: impl Fn(&FoundDate) -> bool,
) -> Option<(FoundDate, super::DateSource)> {
    use super::DateSource;
    let (d, source) = date?;
    if !matches!(source, DateSource::Dateline | DateSource::Time) {
        return Some((d, source));
    }
    let Some((md, ld)) = meta_date(m).filter(|(md, _)| plausible(md)) else {
        return Some((d, source));
    };
    let day = d.at.date_naive();
    let revised = (labelled_revision || modified_days(m).any(|x| x == day))
        && !published_days(m).any(|x| x == day);
    if revised && m.declares_publish_tag && md.at.date_naive() < day {
        return Some((md, meta_source(ld)));
    }
    Some((d, source))
}

/// The publisher's own clock for a date stated in UTC: meta tags often carry the publish time
/// in UTC ("2025-12-19T03:05:00+00:00") while the page's `<time>` element states the same
/// instant with the local offset ("2025-12-18T19:05:00-08:00"), and the local day is the
/// publish day readers see. Returns `d` in the offset of another stated date at the same
/// instant (within a minute), or `d` unchanged.
pub fn in_local_offset(d: FoundDate, m: &Meta) -> FoundDate {
    if d.at.offset().local_minus_utc() != 0 && d.tz_known {
        return d;
    }
    let same_instant = |o: &FoundDate| {
        o.tz_known
            && o.at.offset().local_minus_utc() != 0
            && (o.at.timestamp() - d.at.timestamp()).abs() < 60
    };
    m.element_dates
        .iter()
        .map(|(_, o, _)| *o)
        .chain(m.ld.published.as_deref().and_then(dates::parse_value))
        .find(|o| same_instant(o))
        .map_or(d, |o| FoundDate {
            at: d.at.with_timezone(o.at.offset()),
            tz_known: true,
        })
}

/// Every publish day the metadata states (JSON-LD and publish-date meta tags).
fn published_days(m: &Meta) -> impl Iterator<Item = chrono::NaiveDate> + '_ {
    m.ld.published
        .as_deref()
        .into_iter()
        .chain(
            m.tags
                .iter()
                .filter(|(k, _)| DATE_TAGS.contains(&k.as_str()) || is_publish_key(k))
                .map(|(_, v)| v.as_str()),
        )
        .filter_map(dates::parse_value)
        .map(|d| d.at.date_naive())
}

/// Every last-modified day the metadata states (JSON-LD and modified-time meta tags).
fn modified_days(m: &Meta) -> impl Iterator<Item = chrono::NaiveDate> + '_ {
    m.ld.modified
        .as_deref()
        .into_iter()
        .chain(
            MODIFIED_TAGS
                .iter()
                .filter_map(|k| m.tags.get(*k).map(String::as_str)),
        )
        .filter_map(dates::parse_value)
        .map(|d| d.at.date_naive())
}

/// Whether `a` is `b` with month and day swapped (and not the same day).
pub fn swapped_day_month(a: chrono::NaiveDate, b: chrono::NaiveDate) -> bool {
    use chrono::Datelike;
    a != b && a.year() == b.year() && a.month() == b.day() && a.day() == b.month()
}

/// Whether the JSON-LD `datePublished` is its `dateModified` to the second (with a clock time,
/// not a bare day): a stamp of the page's last save more than a first publish date.
pub fn ld_published_is_save_stamp(m: &Meta) -> bool {
    let parse = |v: Option<&str>| v.and_then(dates::parse_value);
    match (
        parse(m.ld.published.as_deref()),
        parse(m.ld.modified.as_deref()),
    ) {
        (Some(p), Some(md)) => p.at == md.at && p.at.time() != chrono::NaiveTime::MIN,
        _ => false,
    }
}

/// The last-modified date from metadata (JSON-LD `dateModified`, modified-time meta tags).
pub fn modified_date(m: &Meta) -> Option<FoundDate> {
    m.ld.modified
        .as_deref()
        .and_then(dates::parse_value)
        .or_else(|| {
            MODIFIED_TAGS
                .iter()
                .find_map(|k| m.tags.get(*k).and_then(|v| dates::parse_value(v)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_meta_json_ld_and_title() {
        let html = r#"<html lang="en-GB"><head><title>Kerry meets Putin | Example News</title>
            <meta property="og:site_name" content="Example News">
            <link rel="canonical" href="/story">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"WebSite","name":"Example"},
              {"@type":["NewsArticle"],"headline":"Kerry meets Putin","datePublished":"2015-12-15T10:00:00+03:00",
               "author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Person","name":"John Roe"}],
               "publisher":{"name":"Example News"}}]}</script></head>
            <body><h1>Kerry meets Putin</h1><span class="byline">By Jane Doe | Dec 15</span></body></html>"#;
        let dom = Dom::parse(html);
        let m = read(&dom);
        assert_eq!(m.lang.as_deref(), Some("en"));
        assert_eq!(m.canonical.as_deref(), Some("/story"));
        assert_eq!(m.ld.headline.as_deref(), Some("Kerry meets Putin"));
        assert_eq!(
            choose_authors(&m, Some("Example News"), Some("example.com"), &[]),
            ["Jane Doe", "John Roe"]
        );
        assert_eq!(m.byline_authors, ["Jane Doe"]);
        let (d, from_ld) = meta_date(&m).unwrap();
        assert!(from_ld);
        assert_eq!(dates::ymd(&d), (2015, 12, 15));
        assert_eq!(
            choose_title(&m, Some("Example News"), Some("example.com"), |_| false)
                .0
                .as_deref(),
            Some("Kerry meets Putin")
        );
    }

    #[test]
    fn authors_from_graph_references_labels_and_bylines() {
        let html = r#"<html><head><script type="application/ld+json">{"@graph":[
              {"@type":"Article","headline":"H","author":{"@id":"https://ex.com/#/person/1"}},
              {"@type":"Person","@id":"https://ex.com/#/person/1","name":"Jayesh Shinde"}]}</script>
            </head><body></body></html>"#;
        let m = read(&Dom::parse(html));
        assert_eq!(choose_authors(&m, None, None, &[]), ["Jayesh Shinde"]);

        let html = r#"<html><head><meta name="author" content="Example News">
            <meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Jane Doe">
            <meta property="og:site_name" content="Example News"></head><body></body></html>"#;
        let m = read(&Dom::parse(html));
        assert_eq!(
            choose_authors(&m, Some("Example News"), Some("example.com"), &[]),
            ["Jane Doe"]
        );
        // Text bylines are used when nothing better exists; site names only as a last resort.
        let html = r#"<html><head><meta name="author" content="Example"></head></html>"#;
        let m = read(&Dom::parse(html));
        assert_eq!(
            choose_authors(&m, None, Some("www.example.com"), &["Emily Norwood".into()]),
            ["Emily Norwood"]
        );
        assert_eq!(
            clean_author("Keith Barry Senior Autos Reporter").as_deref(),
            Some("Keith Barry")
        );
    }

    #[test]
    fn modified_dates_come_last() {
        let html = r#"<html><head><meta property="article:modified_time" content="2026-02-07T12:55:40+00:00">
            <meta name="w-published-date" content="2025-05-27T06:03:43Z"></head>
            <body><time class="updated" datetime="2026-01-01">Jan 1</time></body></html>"#;
        let m = read(&Dom::parse(html));
        assert!(m.element_dates.is_empty());
        let (d, _) = meta_date(&m).unwrap();
        assert_eq!(dates::ymd(&d), (2025, 5, 27));
        assert_eq!(dates::ymd(&modified_date(&m).unwrap()), (2026, 2, 7));
    }

    #[test]
    fn headline_taglines_after_a_pipe_go() {
        assert_eq!(
            headline_part("Best Residential Movers in NYC 2025 | Top 19 Companies"),
            "Best Residential Movers in NYC 2025"
        );
        assert_eq!(headline_part("Rust | Go"), "Rust | Go");
    }

    #[test]
    fn site_names_are_stripped() {
        assert_eq!(
            strip_site_name("Story here | Example News", Some("Example News"), None),
            "Story here"
        );
        assert_eq!(
            strip_site_name("Example - Story about things", None, Some("example.com")),
            "Story about things"
        );
        assert_eq!(
            strip_site_name("A long headline about talks - BBC News", None, None),
            "A long headline about talks"
        );
        assert_eq!(
            strip_site_name("Plain headline", None, None),
            "Plain headline"
        );
    }

    #[test]
    fn authors_are_cleaned() {
        assert_eq!(
            clean_author("By Jane Doe | Dec 15, 2015").as_deref(),
            Some("Jane Doe")
        );
        assert_eq!(clean_author("https://facebook.com/jane"), None);
        for twice in [
            "Trevor Jackins Trevor Jackins",
            "Trevor JackinsTrevor Jackins",
        ] {
            assert_eq!(clean_author(twice).as_deref(), Some("Trevor Jackins"));
        }
        assert_eq!(
            clean_author("Dylan Bailey, MS, RD, FAND").as_deref(),
            Some("Dylan Bailey, MS, RD, FAND")
        );
        assert_eq!(
            clean_author("Matthew Richardson &sdot; Review Editor").as_deref(),
            Some("Matthew Richardson")
        );
        assert_eq!(
            clean_author("Bhaval Patel Last Updated: December 6, 2024").as_deref(),
            Some("Bhaval Patel")
        );
        assert_eq!(
            clean_author("the Lavazza Team 2–3 minutes").as_deref(),
            Some("the Lavazza Team")
        );
        assert_eq!(
            clean_author("Manoj Jain and Jagpreet Chhatwal, The Commercial Appeal").as_deref(),
            Some("Manoj Jain and Jagpreet Chhatwal")
        );
        assert_eq!(
            clean_author("By Sofia Gonzalez December 2, 2025").as_deref(),
            Some("Sofia Gonzalez")
        );
        assert_eq!(clean_author("Written By"), None);
        assert_eq!(clean_author("Sat"), None);
        assert_eq!(clean_author("Updated"), None);
        assert_eq!(clean_author("David at 11:36 PM").as_deref(), Some("David"));
        assert_eq!(
            clean_author("Trevor JackinsTrevor Jackins is a security writer").as_deref(),
            Some("Trevor Jackins")
        );
        assert_eq!(
            clean_author("Shelby Loos, DVM. Reviewed by Molly Price, DVM").as_deref(),
            Some("Shelby Loos, DVM")
        );
        assert_eq!(
            clean_author("Authored by: Dr. Ehsan Jazini").as_deref(),
            Some("Dr. Ehsan Jazini")
        );
        assert_eq!(clean_author("IN THIS ARTICLE"), None);
    }

    #[test]
    fn headlines_are_tidied() {
        let t = |h: &str| tidy_headline(h, Some("Artlyst"), Some("www.davidbau.com"));
        assert_eq!(
            t("Critics’ Choice: Best UK Art Exhibitions 2025 – Artlyst"),
            "Critics’ Choice: Best UK Art Exhibitions 2025"
        );
        assert_eq!(t("davidbau.com Vibe Coding Notes"), "Vibe Coding Notes");
        assert_eq!(
            t("Grads Find Their Degrees No Longer Guarantee Jobs (latimes.com) 87"),
            "Grads Find Their Degrees No Longer Guarantee Jobs"
        );
        assert_eq!(
            t("Dec 18 2025 Preparing a transition in Debusine"),
            "Preparing a transition in Debusine"
        );
        assert_eq!(
            t("Blog: Best Social Media Agencies in 2025"),
            "Best Social Media Agencies in 2025"
        );
        assert_eq!(
            t("Weekly notes on things January 1, 2025"),
            "Weekly notes on things"
        );
        // A dash part that is not the site stays; a date inside the headline stays.
        assert_eq!(
            t("Zero Waste - A Beginner’s Guide"),
            "Zero Waste - A Beginner’s Guide"
        );
        assert_eq!(
            t("What changed on May 5, 2024 for renters"),
            "What changed on May 5, 2024 for renters"
        );
    }

    #[test]
    fn masthead_h1s_give_way_to_the_metadata_headline() {
        fn pick(html: &str) -> Option<String> {
            let dom = Dom::parse(html);
            let m = read(&dom);
            choose_title(&m, None, Some("example.com"), |_| false).0
        }
        assert_eq!(
            pick("<title>Progress Report #39</title><h1>Antoyo's Blog</h1>").as_deref(),
            Some("Progress Report #39")
        );
        assert_eq!(
            pick(r#"<title>Lessons Learned: The lean startup</title><meta property="og:title" content="The lean startup"><h1>Lessons Learned</h1>"#).as_deref(),
            Some("The lean startup")
        );
        let long = format!(
            "<title>A beginner backpacking checklist</title><h1>A beginner backpacking checklist {}</h1>",
            "word ".repeat(30)
        );
        assert_eq!(
            pick(&long).as_deref(),
            Some("A beginner backpacking checklist")
        );
        assert_eq!(
            pick("<title>Planning: Beginner's Guide</title><h1>Planning? Beginner? Guide</h1>")
                .as_deref(),
            Some("Planning: Beginner's Guide")
        );
        assert_eq!(
            pick(
                "<title>GAAP Compliance: Best Practices</title><h1>SUPPORTING GAAP COMPLIANCE</h1>"
            )
            .as_deref(),
            Some("GAAP Compliance: Best Practices")
        );
        assert_eq!(
            pick("<title>Marathon Beginner Plan</title><h1>BEGINNER MARATHON PLAN</h1>").as_deref(),
            Some("BEGINNER MARATHON PLAN")
        );
        assert_eq!(
            pick("<title>Advent of Code week 2</title><h1>Example Blog</h1><h1>Day 7</h1>")
                .as_deref(),
            Some("Advent of Code week 2")
        );
        assert_eq!(
            pick(r#"<title>Where to Bike | Example</title><meta property="og:site_name" content="Example"><h1>Example</h1><h1>The Best Trails for Biking</h1>"#).as_deref(),
            Some("The Best Trails for Biking")
        );
        // The site's name as og:title does not make the headline a masthead.
        assert_eq!(
            pick(r#"<title>Which mower suits which lawn size? | Robomow</title><meta property="og:title" content="Robomow"><h1>Which mower suits which lawn size?</h1>"#).as_deref(),
            Some("Which mower suits which lawn size?")
        );
        // A headline that differs from the metadata title is still the headline.
        assert_eq!(
            pick("<title>Short SEO title | Example</title><h1>The real story headline</h1>")
                .as_deref(),
            Some("The real story headline")
        );
    }

    #[test]
    fn written_by_labels_anywhere() {
        let m = read(&Dom::parse(
            "<div><div>Written by</div><div class=x>Jack Shepherd</div></div>\
             <p>Written by <a href=/a>John Crenshaw</a></p>",
        ));
        assert_eq!(m.written_by, ["Jack Shepherd", "John Crenshaw"]);
        let m = read(&Dom::parse(
            "<p>Written by hand, this long letter was sent to many people who asked.</p>",
        ));
        assert!(m.written_by.is_empty());
        let authors = choose_authors(
            &read(&Dom::parse("<p>Written by Jo Smith</p>")),
            None,
            None,
            &[],
        );
        assert_eq!(authors, ["Jo Smith"]);
    }

    #[test]
    fn author_classes() {
        for c in [
            "author",
            "post-hero__author",
            "author_author__4ceom",
            "elementor-author-box__name",
            "article__author-details-name",
            "author-by-line-text",
            "c-author-info__name",
        ] {
            assert!(is_author_class(c), "{c}");
        }
        for c in [
            "author-bio",
            "author-avatar",
            "authors-list",
            "has-author-image",
        ] {
            assert!(!is_author_class(c), "{c}");
        }
    }

    #[test]
    fn line_breaks_in_headlines_separate_words() {
        let m = read(&Dom::parse(
            "<h1> WEEKEND<br>CODING<br> <span>AGENT</span></h1>",
        ));
        assert_eq!(
            m.h1.first().map(|(_, t)| t.as_str()),
            Some("WEEKEND CODING AGENT")
        );
    }

    #[test]
    fn swapped_day_and_month_defer_to_metadata() {
        use super::super::DateSource;
        let dom = Dom::parse(
            r#"<meta property="article:published_time" content="2024-09-10T16:07:00Z">"#,
        );
        let m = read(&dom);
        let text = dates::find_first("09.10.2024").unwrap();
        let (d, s) = reconcile_date(Some((text, DateSource::Dateline)), &m).unwrap();
        assert_eq!((dates::ymd(&d), s), ((2024, 9, 10), DateSource::Meta));
        // A different day is the page's own claim and stays.
        let other = dates::find_first("12.10.2024").unwrap();
        let (d, s) = reconcile_date(Some((other, DateSource::Dateline)), &m).unwrap();
        assert_eq!((dates::ymd(&d), s), ((2024, 10, 12), DateSource::Dateline));
    }

    #[test]
    fn citation_dates_are_publish_dates() {
        let dom = Dom::parse(r#"<meta name="citation_publication_date" content="2023 Jan 7">"#);
        let (d, _) = meta_date(&read(&dom)).unwrap();
        assert_eq!(dates::ymd(&d), (2023, 1, 7));
    }
}
