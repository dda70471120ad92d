//! Chrome hints: the short lines around the headline and at the end of a raw page, where
//! mastheads, datelines, copyright footers and photo credits live. The normalize stage removes
//! them from the article text, so the pipeline keeps a few for source resolution.

use crate::normalize::first_chars;

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
///
/// A line is a `\n`-separated piece of the body, trimmed, holding at least two alphanumeric
/// characters. Only the regions kept are visited: the head and the tail are read line by line
/// from either end, and the headline's line is found by one substring search over the body.
pub fn chrome_hints(body: &str, is_html: bool, title: Option<&str>) -> Vec<String> {
    if is_html {
        return Vec::new();
    }
    let body = truncate_at_char(body, MAX_SCAN_BYTES);
    // (start offset of the raw line, trimmed line): the offset identifies a line.
    let mut picked: Vec<(usize, &str)> = Vec::with_capacity(HEAD_LINES + TAIL_LINES + 9);
    picked.extend(forward_lines(body, 0).take(HEAD_LINES));
    if let Some(title) = title.map(str::trim).filter(|t| !t.is_empty())
        && let Some(start) = title_line(body, title)
    {
        picked.extend(backward_lines(body, start).take(NEAR_TITLE));
        picked.extend(forward_lines(body, start).take(NEAR_TITLE + 1));
    }
    picked.extend(backward_lines(body, body.len()).take(TAIL_LINES));
    picked.sort_unstable_by_key(|&(start, _)| start);
    picked.dedup_by_key(|&mut (start, _)| start);
    picked
        .into_iter()
        .map(|(_, l)| first_chars(l, MAX_LINE_CHARS).to_string())
        .collect()
}

/// A kept line: at least two alphanumeric characters once trimmed.
fn kept(line: &str) -> Option<&str> {
    let t = line.trim();
    t.chars()
        .filter(|c| c.is_alphanumeric())
        .nth(1)
        .is_some()
        .then_some(t)
}

/// Kept lines starting at or after `from` (a line start), first to last, with their offsets.
fn forward_lines(body: &str, from: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = Some(from);
    std::iter::from_fn(move || {
        let start = pos?;
        let rest = body.get(start..)?;
        let len = memchr::memchr(b'\n', rest.as_bytes());
        pos = len.map(|l| start + l + 1);
        Some((start, rest.get(..len.unwrap_or(rest.len()))?))
    })
    .filter_map(|(start, line)| kept(line).map(|t| (start, t)))
}

/// Kept lines ending before `to` (a line start, or the body's end), last to first.
fn backward_lines(body: &str, to: usize) -> impl Iterator<Item = (usize, &str)> {
    // The line before `to` ends at `to - 1` (its '\n') unless `to` is the end of the body.
    let mut end = if to == body.len() {
        Some(to)
    } else {
        to.checked_sub(1)
    };
    std::iter::from_fn(move || {
        let stop = end?;
        let head = body.get(..stop)?;
        let start = memchr::memrchr(b'\n', head.as_bytes()).map_or(0, |i| i + 1);
        end = start.checked_sub(1);
        Some((start, head.get(start..)?))
    })
    .filter_map(|(start, line)| kept(line).map(|t| (start, t)))
}

/// Start offset of the first kept line holding `title`.
fn title_line(body: &str, title: &str) -> Option<usize> {
    let finder = memchr::memmem::Finder::new(title.as_bytes());
    let bytes = body.as_bytes();
    let mut from = 0;
    while let Some(hit) = bytes.get(from..).and_then(|b| finder.find(b)) {
        let at = from + hit;
        let start = memchr::memrchr(b'\n', bytes.get(..at)?).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', bytes.get(at..)?).map_or(bytes.len(), |i| at + i);
        // A hit spanning a newline is no hit inside one line: look again from this line.
        if at + title.len() <= end && kept(body.get(start..end)?).is_some() {
            return Some(start);
        }
        from = if at + title.len() <= end { end } else { at + 1 };
        if from >= bytes.len() {
            break;
        }
    }
    None
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

    /// The straightforward version: every kept line collected, then the regions picked.
    fn reference(body: &str, title: Option<&str>) -> Vec<String> {
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
                picked
                    .extend(at.saturating_sub(NEAR_TITLE)..(at + NEAR_TITLE + 1).min(lines.len()));
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

    #[test]
    fn first_chars_takes_chars_not_bytes() {
        for s in [
            "a".repeat(300),
            format!("{}é{}", "a".repeat(199), "b".repeat(50)),
            format!("{}é{}", "a".repeat(200), "b".repeat(50)),
            "深".repeat(250),
            "x".repeat(200),
            String::new(),
        ] {
            let want: String = s.chars().take(MAX_LINE_CHARS).collect();
            assert_eq!(first_chars(&s, MAX_LINE_CHARS), want, "{s:?}");
        }
    }

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
        assert_eq!(hints, reference(&body, Some("The Headline Here")));
    }

    #[test]
    fn long_lines_are_cut_on_char_boundaries() {
        let body = "é".repeat(5000);
        let hints = chrome_hints(&body, false, None);
        assert_eq!(hints[0].chars().count(), MAX_LINE_CHARS);
    }

    #[test]
    fn same_lines_as_the_reference() {
        // Pseudo-random bodies from a small alphabet: blank and one-letter lines, CRLF, lone
        // CR, NBSP, titles split by newlines or only in unkept lines, overlapping regions.
        let pieces = [
            "ab",
            "x",
            "\n",
            "\r\n",
            "\r",
            " ",
            "\u{a0}",
            "é",
            "Head line",
            "Head",
            " line",
            "12",
            "-",
            "\n\n",
            "tail words",
            "Head line\n",
        ];
        let titles = [
            None,
            Some("Head line"),
            Some(" Head line "),
            Some("x"),
            Some("ab"),
            Some("zz"),
            Some(""),
            Some("e\nab"),
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..3000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 90) as usize;
            let mut body = String::new();
            let mut s = seed;
            for _ in 0..len {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                body.push_str(pieces[(s >> 33) as usize % pieces.len()]);
            }
            for title in titles {
                assert_eq!(
                    chrome_hints(&body, false, title),
                    reference(&body, title),
                    "{body:?} {title:?}"
                );
            }
        }
    }
}
