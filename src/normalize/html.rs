//! HTML extraction: a forgiving single-pass tokenizer that keeps text of content elements,
//! skips scripts, styles and page chrome (nav, header, footer, aside, forms), and reads the
//! metadata the finishing steps need (title, canonical link, site name, author, language).

use super::Extracted;

/// Elements whose content is never text.
const SKIP_CONTENT: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "iframe", "object",
];
/// Elements that hold page chrome rather than the article.
const CHROME: &[&str] = &[
    "nav", "header", "footer", "aside", "form", "button", "select", "menu",
];
/// Elements that end a paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "article",
    "section",
    "tr",
    "td",
    "th",
    "table",
    "blockquote",
    "pre",
    "main",
    "figure",
    "figcaption",
    "dd",
    "dt",
    "hr",
    "title",
    "body",
];

/// Extract paragraphs and metadata from HTML.
pub(crate) fn extract(html: &str) -> Extracted {
    let mut out = Extracted::default();
    let mut current = String::new();
    let mut chrome_depth: usize = 0;
    let mut in_title = false;
    let mut title = String::new();
    let mut h1: Option<String> = None;
    let mut in_h1 = false;
    let mut h1_text = String::new();
    let mut og_title = None;
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            let end = html[i..].find('<').map_or(html.len(), |j| i + j);
            let text = decode_entities(&html[i..end]);
            if in_title {
                title.push_str(&text);
            } else if chrome_depth == 0 {
                if in_h1 {
                    h1_text.push_str(&text);
                }
                current.push_str(&text);
            }
            i = end;
            continue;
        }
        if html[i..].starts_with("<!--") {
            i = html[i..].find("-->").map_or(html.len(), |j| i + j + 3);
            continue;
        }
        let end = match html[i..].find('>') {
            Some(j) => i + j + 1,
            None => break,
        };
        let tag = &html[i + 1..end - 1];
        i = end;
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        if !closing && SKIP_CONTENT.contains(&name.as_str()) {
            let close = format!("</{name}");
            let lower_rest = &html[i..];
            i = find_ci(lower_rest, &close).map_or(html.len(), |j| i + j);
            continue;
        }
        if CHROME.contains(&name.as_str()) {
            if closing {
                chrome_depth = chrome_depth.saturating_sub(1);
            } else if !tag.ends_with('/') {
                chrome_depth = chrome_depth.saturating_add(1);
            }
        }
        match (name.as_str(), closing) {
            ("title", false) => in_title = true,
            ("title", true) => in_title = false,
            ("h1", false) => {
                in_h1 = true;
                h1_text.clear();
            }
            ("h1", true) => {
                in_h1 = false;
                if h1.is_none() && !h1_text.trim().is_empty() {
                    h1 = Some(h1_text.clone());
                }
            }
            ("meta", _) => read_meta(tag, &mut out, &mut og_title),
            ("link", _)
                if attr(tag, "rel").is_some_and(|r| r.eq_ignore_ascii_case("canonical")) =>
            {
                out.canonical = attr(tag, "href").or(out.canonical.take());
            }
            ("html", false) => out.language_hint = attr(tag, "lang").map(|l| primary_lang(&l)),
            _ => {}
        }
        if BLOCKS.contains(&name.as_str()) && !current.trim().is_empty() {
            out.paragraphs.push(std::mem::take(&mut current));
        } else if BLOCKS.contains(&name.as_str()) {
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.paragraphs.push(current);
    }
    out.paragraphs.retain(|p| p.split_whitespace().count() >= 4);
    out.title = og_title
        .or(h1)
        .or_else(|| (!title.trim().is_empty()).then_some(title));
    out
}

fn read_meta(tag: &str, out: &mut Extracted, og_title: &mut Option<String>) {
    let key = attr(tag, "property")
        .or_else(|| attr(tag, "name"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let Some(content) = attr(tag, "content") else {
        return;
    };
    match key.as_str() {
        "og:title" => *og_title = Some(content),
        "og:url" if out.canonical.is_none() => out.canonical = Some(content),
        "og:site_name" => out.site_name = Some(content),
        "author" | "article:author"
            if !content.trim().is_empty() && !out.authors.contains(&content) =>
        {
            out.authors.push(content)
        }
        _ => {}
    }
}

fn primary_lang(lang: &str) -> String {
    lang.split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Read an attribute value from the inside of a tag.
fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(name) {
        let start = from + pos;
        from = start + name.len();
        let before_ok = start == 0 || lower.as_bytes()[start - 1].is_ascii_whitespace();
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value_start = tag.len() - rest.len() + 1;
        let value = tag[value_start..].trim_start();
        let (quote, body) = match value.chars().next() {
            Some(q @ ('"' | '\'')) => (Some(q), &value[1..]),
            _ => (None, value),
        };
        let end = match quote {
            Some(q) => body.find(q).unwrap_or(body.len()),
            None => body
                .find(|c: char| c.is_whitespace() || c == '>')
                .unwrap_or(body.len()),
        };
        return Some(decode_entities(&body[..end]));
    }
    None
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    hay.as_bytes()
        .windows(n)
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Decode the common named entities and numeric references.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        let end = rest
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .map(|(i, _)| i);
        let decoded = end.and_then(|e| {
            let ent = &rest[1..e];
            let c = match ent {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                "mdash" => Some('—'),
                "ndash" => Some('–'),
                "hellip" => Some('…'),
                "rsquo" => Some('’'),
                "lsquo" => Some('‘'),
                "ldquo" => Some('“'),
                "rdquo" => Some('”'),
                _ => ent
                    .strip_prefix("#x")
                    .or_else(|| ent.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_paragraphs_title_and_meta_without_chrome() {
        let html = r#"<!doctype html><html lang="en-GB"><head><title>Site | Story</title>
            <meta property="og:title" content="Kerry meets Putin &amp; Lavrov">
            <meta property="og:site_name" content="Example News">
            <meta name="author" content="Jane Doe">
            <link rel="canonical" href="https://ex.com/story?utm_source=x">
            <script>var x = "<p>not text</p>";</script><style>p{}</style></head>
            <body><nav><a>Home</a> <a>World news section link</a></nav>
            <article><h1>Kerry meets Putin</h1><p>The secretary of state arrived in Moscow on Tuesday.</p>
            <p>Talks focused on Syria and the&nbsp;planned ceasefire.</p></article>
            <footer>Copyright 2015 Example News all rights reserved</footer></body></html>"#;
        let e = extract(html);
        assert_eq!(e.title.as_deref(), Some("Kerry meets Putin & Lavrov"));
        assert_eq!(e.site_name.as_deref(), Some("Example News"));
        assert_eq!(e.authors, vec!["Jane Doe".to_string()]);
        assert_eq!(
            e.canonical.as_deref(),
            Some("https://ex.com/story?utm_source=x")
        );
        assert_eq!(e.language_hint.as_deref(), Some("en"));
        assert_eq!(e.paragraphs.len(), 2, "{:?}", e.paragraphs);
        assert!(
            e.paragraphs
                .iter()
                .all(|p| !p.contains("Copyright") && !p.contains("not text"))
        );
    }

    #[test]
    fn broken_html_does_not_panic() {
        for html in [
            "<",
            "<p",
            "<p>a &#xZZ; &#99999999; &",
            "<script>never closed",
            "<a href='x>y</a>",
            "</nav></nav><p>one two three four</p>",
        ] {
            let _ = extract(html);
        }
    }
}
