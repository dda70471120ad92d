//! Chrome hints: the short lines around the headline and at the end of a raw page, where
//! mastheads, datelines, copyright footers and photo credits live. The normalize stage removes
//! them from the article text, so the pipeline keeps a few for source resolution.

/// Most lines kept from each region.
const HEAD_LINES: usize = 8;
const NEAR_TITLE: usize = 4;
const TAIL_LINES: usize = 10;
/// Longest line kept (characters).
const MAX_LINE_CHARS: usize = 200;
/// Most bytes of the body scanned for lines.
const MAX_SCAN_BYTES: usize = 2 << 20;

/// Lines of a text page's raw body that may carry the masthead or credits: the first lines, the
/// lines around the headline, and the last lines. Empty for HTML bodies (their site name and URL
/// say who published them). Bounded: at most ~30 lines of at most 200 characters.
pub fn chrome_hints(body: &str, is_html: bool, title: Option<&str>) -> Vec<String> {
    if is_html {
        return Vec::new();
    }
    let body = truncate_at_char(body, MAX_SCAN_BYTES);
    let lines: Vec<&str> = body
        .lines()
        .map(str::trim)
        .filter(|l| l.chars().filter(|c| c.is_alphanumeric()).nth(1).is_some())
        .collect();
    let mut picked: Vec<usize> = (0..lines.len().min(HEAD_LINES)).collect();
    if let Some(title) = title.map(str::trim).filter(|t| !t.is_empty()) {
        let finder = memchr::memmem::Finder::new(title.as_bytes());
        if let Some(at) = lines
            .iter()
            .position(|l| finder.find(l.as_bytes()).is_some())
        {
            picked.extend(at.saturating_sub(NEAR_TITLE)..(at + NEAR_TITLE + 1).min(lines.len()));
        }
    }
    picked.extend(lines.len().saturating_sub(TAIL_LINES)..lines.len());
    picked.sort_unstable();
    picked.dedup();
    picked
        .into_iter()
        .filter_map(|i| lines.get(i))
        .map(|l| first_chars(l, MAX_LINE_CHARS).to_string())
        .collect()
}

/// The first `n` characters of `s`.
fn first_chars(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    s.char_indices()
        .nth(n)
        .and_then(|(i, _)| s.get(..i))
        .unwrap_or(s)
}

fn truncate_at_char(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_head_title_neighbourhood_and_tail() {
        let mut body = String::new();
        for i in 0..50 {
            body.push_str(&format!("menu item {i}\n"));
        }
        body.push_str("The Headline Here\n2015-12-16 08:53 Shenzhen Daily\n");
        for i in 0..40 {
            body.push_str(&format!("A long paragraph of article text number {i}.\n"));
        }
        body.push_str("Copyright Shenzhen Daily\n");
        let hints = chrome_hints(&body, false, Some("The Headline Here"));
        assert!(hints.iter().any(|l| l.contains("08:53 Shenzhen Daily")));
        assert_eq!(
            hints.last().map(String::as_str),
            Some("Copyright Shenzhen Daily")
        );
        assert!(hints.iter().any(|l| l == "menu item 0"));
        assert!(hints.len() <= HEAD_LINES + 2 * NEAR_TITLE + 1 + TAIL_LINES);
        assert!(chrome_hints("<html>x</html>", true, None).is_empty());
    }

    #[test]
    fn long_lines_are_cut_on_char_boundaries() {
        let body = "é".repeat(5000);
        let hints = chrome_hints(&body, false, None);
        assert_eq!(hints[0].chars().count(), MAX_LINE_CHARS);
    }
}
