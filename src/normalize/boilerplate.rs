//! Boilerplate signals: element names, class/id/role tokens, chrome phrases, stop words.

use super::dom::Element;
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use std::sync::LazyLock;

/// Elements whose whole subtree never holds article text.
pub fn is_dropped_element(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "button"
            | "select"
            | "option"
            | "input"
            | "textarea"
            | "title"
            | "meta"
            | "link"
            | "map"
            | "video"
            | "audio"
            | "nav"
            | "footer"
            | "menu"
            | "dialog"
            | "label"
    )
}

/// Hidden by attribute or inline style, or a navigation/landmark role.
pub fn is_hidden_or_chrome_role(el: &Element) -> bool {
    if el.attr("hidden").is_some() && !is_streamed_segment(el) {
        return true;
    }
    if el.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(style) = el.attr("style") {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    // (`tablist` is not among the roles: sites wrap whole accordions, panels and all, in it.)
    if let Some(role) = el.attr("role") {
        return matches!(
            role.trim().to_ascii_lowercase().as_str(),
            "navigation"
                | "banner"
                | "contentinfo"
                | "complementary"
                | "search"
                | "menu"
                | "menubar"
                | "dialog"
                | "alertdialog"
                | "toolbar"
        );
    }
    false
}

/// React streaming SSR parks finished Suspense segments in `<div hidden id="S:0">` and moves
/// them into place with a script: their content is the page, not hidden chrome.
fn is_streamed_segment(el: &Element) -> bool {
    el.attr("id").is_some_and(|id| {
        id.strip_prefix("S:")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric()))
    })
}

/// Substrings that mark chrome strongly; the rest of [`NEGATIVE`] is weak.
const STRONG: &[&str] = &[
    "comment",
    "share",
    "sharing",
    "social",
    "related",
    "sidebar",
    "side-bar",
    "newsletter",
    "subscri",
    "breadcrumb",
    "cookie",
    "consent",
    "footer",
    "navbar",
    "navigation",
    "menu",
    "outbrain",
    "taboola",
    "recommend",
    "trending",
    "popular",
    "more-from",
    "morefrom",
    "read-more",
    "readmore",
    "read-next",
    "screen-reader",
    "sr-only",
    "visually-hidden",
    "visuallyhidden",
    "skip-link",
    "advert",
];

/// Substrings of a class/id token that mark page chrome.
const NEGATIVE: &[&str] = &[
    "comment",
    "share",
    "sharing",
    "social",
    "related",
    "sidebar",
    "side-bar",
    "widget-area",
    "widget_",
    "newsletter",
    "subscri",
    "promo",
    "advert",
    "breadcrumb",
    "cookie",
    "consent",
    "popup",
    "modal",
    "footer",
    "masthead",
    "navbar",
    "navigation",
    "menu",
    "toolbar",
    "pagination",
    "pager",
    "disclaimer",
    "sponsor",
    "outbrain",
    "taboola",
    "recommend",
    "trending",
    "popular",
    "more-from",
    "morefrom",
    "read-more",
    "readmore",
    "read-next",
    "author-bio",
    "author-box",
    "authorbox",
    "about-author",
    "about-the-author",
    "author-info",
    "byline",
    "post-meta",
    "entry-meta",
    "article-meta",
    "postmeta",
    "meta-data",
    "tag-list",
    "taglist",
    "post-tags",
    "entry-tags",
    "article-tags",
    "tags-links",
    "cat-links",
    "signup",
    "sign-up",
    "login",
    "banner",
    "screen-reader",
    "sr-only",
    "visually-hidden",
    "visuallyhidden",
    "skip-link",
    "print-only",
    "jump-link",
    "table-of-contents",
    "post-navigation",
    "nav-links",
    "prev-next",
    "call-to-action",
    "donate",
    "paywall",
    "rating",
    "reaction",
    "caption",
    "credit",
    "wp-caption-text",
    "gallery",
    "carousel",
    "slider",
    "header",
    "topbar",
    "top-bar",
    "site-info",
    "copyright",
    "legal",
    "feedback",
    "survey",
    "lightbox",
    "overlay",
    "offcanvas",
    "off-canvas",
    "drawer",
    "dropdown",
];

/// Exact class/id tokens that mark chrome (too short to match as substrings).
const NEGATIVE_EXACT: &[&str] = &[
    "ad",
    "ads",
    "nav",
    "tags",
    "tag",
    "meta",
    "share",
    "tools",
    "extra",
    "aside",
    "more",
    "author",
    "date",
    "time",
    "social",
    "hide",
    "skip",
    "foot",
    "hidden",
    "is-hidden",
    "toc",
    "cta",
    "print",
    "search",
    "widget",
    "widgets",
    "search-form",
    "searchform",
    "search-box",
];

/// Substrings that mark the article body.
const POSITIVE: &[&str] = &[
    "article-body",
    "articlebody",
    "article-content",
    "article__body",
    "article__content",
    "articlecontent",
    "post-content",
    "postcontent",
    "post-body",
    "postbody",
    "entry-content",
    "entrycontent",
    "story-body",
    "storybody",
    "story-content",
    "content-body",
    "main-content",
    "maincontent",
    "blog-content",
    "page-content",
    "rich-text",
    "sow-editor",
    "richtext",
    "prose",
];

/// Whether a class/id token is an ad marker: "ad-slot", "ads_top", "top-ad".
fn is_ad_token(t: &str) -> bool {
    t.starts_with("ad-")
        || t.starts_with("ad_")
        || t.starts_with("ads-")
        || t.starts_with("ads_")
        || t.ends_with("-ad")
        || t.ends_with("_ad")
        || t.ends_with("-ads")
        || t.contains("-ad-")
        || t.starts_with("advert")
        || t.starts_with("dfp")
        || t.starts_with("gpt-")
}

/// One automaton per substring list: a token is tested against all of a list's patterns in a
/// single pass instead of one `contains` per pattern (this was most of the HTML stage's time).
fn substring_set(patterns: &[&str]) -> Option<AhoCorasick> {
    AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::DFA))
        .build(patterns)
        .ok()
}

static POSITIVE_SET: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| substring_set(POSITIVE));
static NEGATIVE_SET: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| substring_set(NEGATIVE));
static STRONG_SET: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| substring_set(STRONG));

/// Whether `t` contains any of `patterns` (`set` is the automaton built from them).
fn contains_any(set: &LazyLock<Option<AhoCorasick>>, patterns: &[&str], t: &str) -> bool {
    match LazyLock::force(set) {
        Some(ac) => ac.is_match(t),
        None => patterns.iter().any(|p| t.contains(p)),
    }
}

/// Whole parts of a class/id token (split at `-`, `_`) that mark chrome strongly: calls to
/// action ("rich-text-cta__title"), author bios ("hero-author--bio"), tables of contents.
const STRONG_PARTS: &[&str] = &[
    "cta",
    "ctas",
    "bio",
    "disclosure",
    "testimonial",
    "testimonials",
    "swiper",
];

/// Words that, in a token naming an author ("author-block", "authordescription"), make it an
/// author box rather than a byline.
const AUTHOR_BOX: &[&str] = &[
    "bio",
    "box",
    "info",
    "desc",
    "detail",
    "about",
    "profile",
    "block",
    "card",
    "container",
    "wrap",
    "tab",
];

/// Verdict from the parts of one lowercase token: strong (`Negative`), weak (an author byline
/// or box name), or `Neutral`.
fn part_signal(t: &str) -> ClassSignal {
    if t.split(['-', '_']).any(|p| STRONG_PARTS.contains(&p)) {
        return ClassSignal::Negative;
    }
    if t.contains("author") && !t.starts_with("has-") && !t.starts_with("no-") {
        if AUTHOR_BOX.iter().any(|w| t.contains(w)) {
            return ClassSignal::Negative;
        }
        return ClassSignal::WeakNegative;
    }
    ClassSignal::Neutral
}

/// Class/id verdict for an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassSignal {
    /// Names the article body.
    Positive,
    /// Names chrome (comments, related links, sharing, navigation, ads).
    Negative,
    /// Names something that is usually chrome but sometimes wraps content (widgets, headers,
    /// credits, promos).
    WeakNegative,
    /// Nothing either way.
    Neutral,
}

/// Judge an element by its class and id tokens (and `itemprop`).
pub fn class_signal(el: &Element) -> ClassSignal {
    if el
        .attr("itemprop")
        .is_some_and(|v| v.contains("articleBody"))
    {
        return ClassSignal::Positive;
    }
    let mut positive = false;
    let mut negative = false;
    let mut strong = false;
    for attr in ["class", "id"] {
        let Some(v) = el.attr(attr) else { continue };
        if v.len() > 1000 {
            continue;
        }
        for token in v.split_ascii_whitespace() {
            let mut buf = [0u8; 64];
            let owned;
            let t: &str = match buf.get_mut(..token.len()) {
                Some(lower) => {
                    lower.copy_from_slice(token.as_bytes());
                    lower.make_ascii_lowercase();
                    std::str::from_utf8(lower).unwrap_or_default()
                }
                None => {
                    owned = token.to_ascii_lowercase();
                    &owned
                }
            };
            if contains_any(&POSITIVE_SET, POSITIVE, t) {
                positive = true;
                continue;
            }
            let part_signal = part_signal(t);
            if part_signal == ClassSignal::Negative {
                negative = true;
                strong = true;
                continue;
            }
            if NEGATIVE_EXACT.contains(&t)
                || part_signal == ClassSignal::WeakNegative
                || is_ad_token(t)
                || contains_any(&NEGATIVE_SET, NEGATIVE, t)
            {
                // Layout helpers like "has-sidebar" or "no-comments" describe the page, not the box.
                let layout_helper = t.starts_with("has-")
                    || t.starts_with("no-")
                    || t.starts_with("with-")
                    || t.starts_with("hidden-")
                    || t.contains("subhead")
                    || t.contains("commentary")
                    // Script hooks that block the context menu mark article text, not menus.
                    || t.contains("contextmenu");
                if !layout_helper {
                    negative = true;
                    strong |= is_ad_token(t)
                        || matches!(t, "ad" | "ads" | "nav" | "share" | "social" | "hidden")
                        || contains_any(&STRONG_SET, STRONG, t);
                }
            }
        }
    }
    match (positive, negative, strong) {
        (true, _, _) => ClassSignal::Positive,
        (false, true, true) => ClassSignal::Negative,
        (false, true, false) => ClassSignal::WeakNegative,
        _ => ClassSignal::Neutral,
    }
}

/// Lowercase phrase lists indexed for [`is_chrome_phrase`]: exact phrases by byte length,
/// prefixes by first byte. Each phrase carries its first eight bytes packed ([`pack8`]), so
/// most candidates are ruled out by one integer compare.
struct PhraseIndex {
    exact: Vec<Vec<(u64, &'static [u8])>>,
    prefix: Vec<Vec<(u64, &'static [u8])>>,
    /// Longest phrase or prefix (bytes).
    head: usize,
}

/// Room of the stack buffer [`is_chrome_phrase`] lowercases a head into (the longest phrase
/// is 37 bytes; were one longer than this, the general path would answer).
const PHRASE_HEAD_MAX: usize = 64;

/// Whether `t` holds "ight" in any ASCII case (every 'g' is looked at).
fn contains_ight(t: &[u8]) -> bool {
    memchr::memchr2_iter(b'g', b'G', t).any(|i| {
        i > 0
            && t.get(i - 1).is_some_and(|&b| (b | 0x20) == b'i')
            && t.get(i + 1).is_some_and(|&b| (b | 0x20) == b'h')
            && t.get(i + 2).is_some_and(|&b| (b | 0x20) == b't')
    })
}

/// `s` lowercased into `buf` as [`str::to_lowercase`] would (char by char), or `None` when it
/// does not fit or holds 'Σ' (whose lowercase depends on the next char).
fn lowercase_into<'b>(s: &str, buf: &'b mut [u8]) -> Option<&'b [u8]> {
    if s.contains('Σ') {
        return None;
    }
    let mut n = 0;
    for c in s.chars() {
        if c.is_ascii() {
            *buf.get_mut(n)? = c.to_ascii_lowercase() as u8;
            n += 1;
        } else {
            for l in c.to_lowercase() {
                let len = l.len_utf8();
                l.encode_utf8(buf.get_mut(n..n + len)?);
                n += len;
            }
        }
    }
    buf.get(..n)
}

/// The first (up to) eight bytes of `t`, little-endian, zero-padded.
fn pack8(t: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = t.len().min(8);
    if let (Some(dst), Some(src)) = (buf.get_mut(..n), t.get(..n)) {
        dst.copy_from_slice(src);
    }
    u64::from_le_bytes(buf)
}

/// Mask of the low `n` bytes (`n` ≤ 8).
fn low_bytes(n: usize) -> u64 {
    if n >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    }
}

impl PhraseIndex {
    fn new(exact: &[&'static str], prefix: &[&'static str]) -> Self {
        let longest = exact.iter().map(|e| e.len()).max().unwrap_or(0);
        let mut by_len = vec![Vec::new(); longest + 1];
        for e in exact {
            if let Some(bucket) = by_len.get_mut(e.len()) {
                bucket.push((pack8(e.as_bytes()), e.as_bytes()));
            }
        }
        let mut by_first = vec![Vec::new(); 256];
        for p in prefix {
            if let Some(bucket) = p
                .as_bytes()
                .first()
                .and_then(|&b| by_first.get_mut(usize::from(b)))
            {
                bucket.push((pack8(p.as_bytes()), p.as_bytes()));
            }
        }
        let head = exact
            .iter()
            .chain(prefix)
            .map(|p| p.len())
            .max()
            .unwrap_or(0);
        Self {
            exact: by_len,
            prefix: by_first,
            head,
        }
    }

    /// `t` (lowercase) is one of the exact phrases.
    fn is_exact(&self, t: &[u8]) -> bool {
        let Some(bucket) = self.exact.get(t.len()) else {
            return false;
        };
        let t8 = pack8(t);
        bucket.iter().any(|&(p8, p)| p8 == t8 && p == t)
    }

    /// `t` (lowercase) starts with one of the prefixes.
    fn has_prefix(&self, t: &[u8]) -> bool {
        let Some(bucket) = t.first().and_then(|&b| self.prefix.get(usize::from(b))) else {
            return false;
        };
        let t8 = pack8(t);
        bucket
            .iter()
            .any(|&(p8, p)| t8 & low_bytes(p.len()) == p8 && t.starts_with(p))
    }
}

/// Lines or blocks that are page chrome by their wording alone (compared lowercase, with
/// surrounding punctuation trimmed).
pub fn is_chrome_phrase(text: &str) -> bool {
    chrome_phrase(text, true)
}

/// [`is_chrome_phrase`]; with `ascii_fast_path` false, ASCII text takes the general
/// (lowercased-copy) path too, which the tests compare the fast path with.
fn chrome_phrase(text: &str, ascii_fast_path: bool) -> bool {
    let trimmed =
        text.trim_matches(|c: char| c.is_whitespace() || (c.is_ascii_punctuation() && c != '&'));
    if trimmed.is_empty() {
        return true;
    }
    // Exact phrases are looked up among those of the same length, prefixes among those with
    // the same first byte.
    static INDEX: LazyLock<PhraseIndex> = LazyLock::new(|| PhraseIndex::new(EXACT, PREFIX));
    if ascii_fast_path && trimmed.is_ascii() {
        // Lowercased into a stack buffer.
        let t = trimmed.as_bytes();
        if t.len() > 200 {
            return false;
        }
        // Only the head the lists can reach is lowercased: no phrase is longer than
        // `INDEX.head` bytes, so an exact phrase needs a text of at most that length and a
        // prefix lies inside the head.
        let index = &*INDEX;
        let mut buf = [0u8; PHRASE_HEAD_MAX];
        let head = t.get(..t.len().min(index.head)).unwrap_or(t);
        let Some(lower) = buf.get_mut(..head.len()) else {
            return chrome_phrase(text, false); // longer lists: the general path
        };
        lower.copy_from_slice(head);
        lower.make_ascii_lowercase();
        let lower = &*lower;
        if (head.len() == t.len() && index.is_exact(lower)) || index.has_prefix(lower) {
            return true;
        }
        // Both "all rights reserved" and "copyright" hold "ight": lines without it (most)
        // skip the searches.
        if !contains_ight(t) {
            return false;
        }
        return contains_ignore_ascii_case(t, b"all rights reserved")
            || (contains_ignore_ascii_case(t, b"copyright")
                && trimmed.split_whitespace().count() <= 25);
    }
    // Lowercasing never shortens a text (in chars), so a longer one is out either way. At
    // most 200 bytes are at most 200 chars.
    if trimmed.len() > 200 && trimmed.chars().count() > 200 {
        return false;
    }
    if ascii_fast_path {
        // Only the head the phrase lists can reach is lowercased (a phrase of n chars can only
        // match the lowercase of the first n chars, and an exact phrase only a text of at
        // most its length). The "contains" tests compare ASCII case-insensitively in place:
        // their needles are ASCII without 'k' (the Kelvin sign lowercases to 'k'), and the
        // only other non-ASCII char whose lowercase holds an ASCII letter, U+0130 ("i" plus a
        // combining dot), never completes a match; "版权所有" has no case.
        static HEAD_CHARS: LazyLock<usize> = LazyLock::new(|| {
            EXACT
                .iter()
                .chain(PREFIX)
                .map(|p| p.chars().count())
                .max()
                .unwrap_or(0)
        });
        let head_end = trimmed
            .char_indices()
            .nth(*HEAD_CHARS)
            .map_or(trimmed.len(), |(i, _)| i);
        // The text has at most HEAD_CHARS chars when the head is all of it.
        let short = head_end == trimmed.len();
        let head = trimmed.get(..head_end).unwrap_or(trimmed);
        let mut buf = [0u8; 192];
        let owned;
        let lower = match lowercase_into(head, &mut buf) {
            Some(lower) => lower,
            None => {
                owned = head.to_lowercase();
                owned.as_bytes()
            }
        };
        let b = trimmed.as_bytes();
        // Both "contains" needles hold "ight"; "版权所有" starts with the byte 0xE7.
        let ight = contains_ight(b);
        return (short && INDEX.is_exact(lower))
            || INDEX.has_prefix(lower)
            || (ight && contains_ignore_ascii_case(b, b"all rights reserved"))
            || (memchr::memchr(0xe7, b).is_some() && trimmed.contains("版权所有"))
            || (ight
                && contains_ignore_ascii_case(b, b"copyright")
                && trimmed.split_whitespace().count() <= 25);
    }
    let t = trimmed.to_lowercase();
    const EXACT: &[&str] = &[
        "share",
        "share this",
        "share this article",
        "share this story",
        "share this post",
        "share on facebook",
        "share on twitter",
        "share article",
        "advertisement",
        "advertising",
        "ad",
        "sponsored",
        "sponsored content",
        "print",
        "print this article",
        "email",
        "e-mail",
        "email this",
        "comments",
        "comment",
        "leave a comment",
        "leave a reply",
        "post a comment",
        "related",
        "related articles",
        "related stories",
        "related news",
        "related posts",
        "read more",
        "read next",
        "more",
        "tweet",
        "facebook",
        "twitter",
        "linkedin",
        "whatsapp",
        "pinterest",
        "reddit",
        "telegram",
        "copy link",
        "you are here",
        "home",
        "top",
        "back to top",
        "next",
        "previous",
        "next article",
        "previous article",
        "subscribe",
        "sign up",
        "log in",
        "login",
        "register",
        "menu",
        "search",
        "close",
        "skip to content",
        "skip to main content",
        "loading",
        "click here",
        "follow us",
        "tags",
        "topics",
        "listen",
        "listen to this article",
        "save",
        "bookmark",
        "recommended",
        "most read",
        "most popular",
        "trending",
        "latest news",
        "top stories",
        "off the wire",
        "see also",
        "table of contents",
        "contents",
        "on this page",
        "in this article",
        "jump to",
        "advertisement - scroll to continue",
        "scroll to continue with content",
        "story continues below advertisement",
        "continue reading below",
        "翻译",
        "在线翻译",
    ];
    const PREFIX: &[&str] = &[
        "you are here",
        "adjust font size",
        "font size",
        "text size",
        "share this",
        "share on",
        "related:",
        "related articles",
        "tags:",
        "tagged:",
        "tagged with",
        "filed under",
        "posted in",
        "categories:",
        "category:",
        "see also:",
        "follow us",
        "copyright",
        "©",
        "(c) ",
        "all rights reserved",
        "e-mail:",
        "email:",
        "tel:",
        "phone:",
        "fax:",
        "版权所有",
        "责任编辑",
        "编辑：",
        "print this",
        "click here to",
        "sign up for",
        "subscribe to",
        "read more:",
        "read also",
        "also read",
        "more:",
        "advertisement",
        "image:",
        "photo:",
        "photos:",
        "image credit",
        "photo credit",
        "credit:",
        "source:",
        "getty images",
        "this article was originally published",
        "this story was originally published",
        "we use cookies",
        "by continuing to use",
        "last updated",
        "updated:",
        "published:",
        "posted:",
        "posted on",
        "published on",
    ];
    if t.chars().count() > 200 {
        return false;
    }
    EXACT.contains(&t.as_str())
        || PREFIX.iter().any(|p| t.starts_with(p))
        || t.contains("all rights reserved")
        || t.contains("版权所有")
        || (t.contains("copyright") && t.split_whitespace().count() <= 25)
}

/// Whether ASCII `needle` (lowercase) occurs in `hay`, ignoring ASCII case.
pub(crate) fn contains_ignore_ascii_case(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let (lo, up) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    let mut from = 0;
    while let Some(i) = hay.get(from..).and_then(|h| memchr::memchr2(lo, up, h)) {
        let at = from + i;
        if hay
            .get(at + 1..at + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(rest))
        {
            return true;
        }
        from = at + 1;
    }
    false
}

/// Openings of sign-up pitches and form boilerplate written as sentences ("Sign up for our
/// newsletter to …", "By subscribing, you agree …"). Disclaimers and sales pitches are not
/// listed: reference extractions keep them about as often as they drop them.
const CALL_TO_ACTION: &[&str] = &[
    "sign up",
    "signup",
    "subscribe",
    "by signing up",
    "by subscribing",
    "by submitting",
    "by clicking",
    "by registering",
    "already have an account",
    "already a subscriber",
    "already a member",
    "if you enjoyed",
    "if you liked",
    "thank you! your submission",
    "oops! something went wrong",
    "this field is for validation",
    "unlock this article",
    "this article is exclusive",
];

/// Whether a sentence-length block opens like a sign-up pitch or form boilerplate.
pub fn is_call_to_action(text: &str) -> bool {
    let t = text.trim_start_matches(|c: char| !c.is_alphanumeric());
    let Some(head) = t.get(..t.len().min(40)).or_else(|| {
        // Cut at a char boundary.
        let mut end = 40.min(t.len());
        while !t.is_char_boundary(end) {
            end -= 1;
        }
        t.get(..end)
    }) else {
        return false;
    };
    let head = head.to_lowercase();
    CALL_TO_ACTION.iter().any(|p| {
        head.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || !rest.starts_with(char::is_alphanumeric))
    })
}

/// Stop words of the languages we see most, used for jusText-style stop-word density.
/// A token counts if it is in any list; the density separates prose from lists of names.
const STOP_WORDS: &[&str] = &[
    // English
    "the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by", "from",
    "as", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "do", "does",
    "did", "it", "its", "this", "that", "these", "those", "he", "she", "they", "we", "you", "i",
    "his", "her", "their", "our", "your", "my", "not", "no", "so", "if", "than", "then", "there",
    "which", "who", "whom", "what", "when", "where", "how", "will", "would", "can", "could",
    "should", "may", "might", "must", "also", "into", "about", "over", "after", "before", "more",
    "most", "some", "such", "only", "other", "all", "any", "each", "just", "up", "out", "said",
    "says", "one", "two", "new", "because", "while", "between", "during", "them", "him", "us",
    "me", "very", "even", "still", "like", "through", "since", "many", // French
    "le", "la", "les", "des", "du", "de", "un", "une", "et", "est", "en", "que", "qui", "pour",
    "dans", "sur", "pas", "par", "au", "aux", "ce", "il", "elle", "ils", "sont", "ont", "avec",
    "plus", "son", "sa", "ses", "mais", "ou", "été", "être", "nous", "vous", "leur",
    // German
    "der", "die", "das", "und", "ist", "nicht", "den", "dem", "des", "ein", "eine", "einer", "zu",
    "mit", "sich", "auf", "für", "von", "im", "sie", "es", "auch", "wird", "werden", "hat",
    "haben", "wie", "bei", "oder", "nach", "aus", "wurde", "sind", "noch", "über",
    // Spanish / Portuguese / Italian
    "el", "los", "las", "del", "y", "por", "con", "para", "una", "su", "se", "lo", "como", "más",
    "pero", "sus", "fue", "ha", "o", "e", "il", "di", "che", "non", "per", "della", "sono", "nel",
    "da", "os", "as", "um", "uma", "não", "em", "na", "no", "ao", "dos", "das",
    // Dutch
    "het", "een", "van", "en", "niet", "op", "zijn", "voor", "met", "ook", "naar", "wordt",
    // Russian
    "и", "в", "не", "на", "что", "с", "по", "как", "это", "он", "она", "они", "к", "из", "за", "от",
    "для", "о", "так", "но", "же", "уже", "был", "была", "были",
];

static STOP_SET: LazyLock<rustc_hash::FxHashSet<&'static str>> =
    LazyLock::new(|| STOP_WORDS.iter().copied().collect());

/// Whether a token (any case, at most 12 bytes) is in [`STOP_WORDS`]. ASCII tokens are
/// lowercased on the stack; others go through `str::to_lowercase`.
fn is_stop_word(tok: &str) -> bool {
    let bytes = tok.as_bytes();
    if bytes.is_ascii() && bytes.len() <= 16 {
        let mut buf = [0u8; 16];
        let lower = buf.get_mut(..bytes.len()).unwrap_or_default();
        lower.copy_from_slice(bytes);
        lower.make_ascii_lowercase();
        return std::str::from_utf8(lower).is_ok_and(|l| STOP_SET.contains(l));
    }
    STOP_SET.contains(tok.to_lowercase().as_str())
}

/// Fraction of tokens that are stop words (lowercased), and the token count.
pub fn stop_word_density(text: &str) -> (f32, usize) {
    let mut total = 0usize;
    let mut stops = 0usize;
    for tok in text
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|t| !t.is_empty())
    {
        total += 1;
        if tok.len() <= 12 && is_stop_word(tok) {
            stops += 1;
        }
    }
    if total == 0 {
        (0.0, 0)
    } else {
        (stops as f32 / total as f32, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each sample, in several cases and paddings (long non-ASCII paddings too when `padded`),
    /// gets the same answer from the fast paths and from lowercasing the whole text.
    fn fast_and_slow_paths_agree(samples: &[&str], padded: bool) {
        for t in samples {
            let mut variants = vec![
                t.to_string(),
                t.to_uppercase(),
                t.to_lowercase(),
                format!("- {t} |"),
            ];
            if padded {
                variants.push(format!("{t} {}", "é".repeat(150)));
                variants.push(format!("{} {t}", "Ä".repeat(60)));
            }
            for v in variants {
                assert_eq!(chrome_phrase(&v, true), chrome_phrase(&v, false), "{v:?}");
            }
        }
    }

    #[test]
    fn lowercase_into_matches_to_lowercase() {
        let mut buf = [0u8; 192];
        for s in [
            "",
            "ABC def",
            "ÉTÉ Ürümqi",
            "İstanbul",
            "\u{212a}elvin",
            "ΣHARE ΑΣ",
            "ǅ ǈ Ω",
            "深圳 ไทย \u{1f600}",
            "ＳＨＡＲＥ",
            "e\u{301}",
        ] {
            match lowercase_into(s, &mut buf) {
                Some(l) => assert_eq!(l, s.to_lowercase().as_bytes(), "{s:?}"),
                None => assert!(s.contains('Σ'), "{s:?}"),
            }
        }
        assert!(lowercase_into(&"İ".repeat(100), &mut buf).is_none());
        for (t, p) in [("share this", "share"), ("sha", "share"), ("", "x")] {
            assert_eq!(
                pack8(t.as_bytes()) & low_bytes(p.len()) == pack8(p.as_bytes()),
                t.as_bytes().get(..p.len().min(8)) == p.as_bytes().get(..p.len().min(8))
            );
        }
    }

    #[test]
    fn chrome_phrase_fast_path_matches_the_general_path_on_random_text() {
        let pieces = [
            "share",
            "Share This",
            "copyright",
            "CopyRight",
            "ALL RIGHTS reserved",
            "all right",
            "rights",
            "night",
            "ight",
            "IGHT",
            "g",
            "G",
            "ig",
            "gh",
            "Tags:",
            "read more",
            "Home",
            "advertisement",
            "this article was originally published",
            "posted on",
            "x",
            " ",
            "  ",
            "'",
            "\u{2019}",
            "\u{a0}",
            "\u{301}",
            "\u{7}",
            "深圳",
            "ไทย",
            "\u{1f600}",
            "©",
            "(c) ",
            "-",
            "|",
            ".",
            "&",
            "版权所有",
            "Σ",
            "İ",
            "\u{212a}",
            "ΣHARE",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut t = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = (seed % 7) as usize;
            for k in 0..n {
                let i = ((seed >> (8 * k)) as usize) % pieces.len();
                t.push_str(pieces[i]);
                if (seed >> (3 * k)) & 1 == 1 {
                    t.push(' ');
                }
            }
            assert_eq!(chrome_phrase(&t, true), chrome_phrase(&t, false), "{t:?}");
            let long = format!("{t} {}", "word ".repeat((seed % 50) as usize));
            assert_eq!(
                chrome_phrase(&long, true),
                chrome_phrase(&long, false),
                "{long:?}"
            );
        }
        for (t, want) in [
            (&b"night"[..], true),
            (b"NIGHT", true),
            (b"ighT", true),
            (b"igh", false),
            (b"gight", true),
            (b"g", false),
            (b"i g h t", false),
            (b"", false),
        ] {
            assert_eq!(contains_ight(t), want, "{:?}", String::from_utf8_lossy(t));
        }
    }

    #[test]
    fn chrome_phrase_ascii_path_matches_the_lowercase_path() {
        // A trailing non-ASCII letter sends the same wording down the lowercasing path.
        let cases = [
            ("SHARE THIS", true),
            ("  Read More >>", true),
            ("Copyright 2015 Xinhua", true),
            ("(c) 2015 Foo. ALL RIGHTS RESERVED.", true),
            ("Kerry meets Lavrov in Moscow", false),
            (
                "The copyright office said on Tuesday it would review the claims",
                true,
            ),
        ];
        for (t, want) in cases {
            assert_eq!(is_chrome_phrase(t), want, "{t:?}");
        }
        for t in [
            "Copyright 2015 Xinhua é",
            "x all rights reserved é",
            "Kerry meets Lavrov é",
        ] {
            let ascii = t.trim_end_matches(" é");
            assert_eq!(
                is_chrome_phrase(t),
                is_chrome_phrase(ascii),
                "{t:?} vs {ascii:?}"
            );
        }
        assert!(!is_chrome_phrase(&"copyright ".repeat(30)));
        // The ASCII fast path agrees with the general path.
        let samples = [
            "Share",
            "SHARE THIS",
            "share this story!",
            "Shares",
            "share",
            "ad",
            "Ad.",
            "AD ",
            "a",
            "",
            " ",
            "...",
            "&",
            "Advertisement",
            "advertisement - Scroll to continue",
            "Tags: Syria, Russia",
            "tagged",
            "tel:123",
            "Tel: +86",
            "(c) 2015",
            "(c)2015",
            "Copyright",
            "x copyright y",
            "All Rights Reserved 2015",
            "all rights reserve",
            "Read more: foo",
            "read more",
            "READ MORE",
            "More: x",
            "more",
            "Home",
            "home page",
            "You are here: Home > World",
            "Last updated 2015",
            "Posted on Monday",
            "Getty Images",
            "Photo: Reuters",
            "photos:",
            "sign up for our newsletter",
            "Skip to main content",
            "Kerry meets Lavrov in Moscow",
            "The copyright holder said the deal is done.",
        ];
        fast_and_slow_paths_agree(&samples, false);
        // The non-ASCII fast path agrees with lowercasing the whole text.
        let samples = [
            "Share é",
            "SHARE ÉTÉ",
            "Read more: Ürümqi",
            "© 2015 Xinhua",
            "©2015",
            "深圳报业集团版权所有, 未经授权禁止复制; Copyright 2010, All Rights Reserved.",
            "版权所有",
            "责任编辑：王",
            "翻译",
            "在线翻译",
            "在线翻译:",
            "Kerry’s talks",
            "“Share this”",
            "COPYRİGHT 2015 é",
            "copyrİght é",
            "ALL RİGHTS RESERVED é",
            "FACEBOO\u{212a}",
            "faceboo\u{212a} é",
            "\u{212a}",
            "BOO\u{212a}MAR\u{212a}",
            "ΣHARE",
            "Σ",
            "share Σ",
            "ΑΣ ΑΣ",
            "Photo: Σ",
            "copyright ΣΣ ΣΣ",
            "Adjust font size: é",
            "ADJUST FONT SIZE É",
            "İmage: x",
            "image: İ",
            "This article was originally published on é",
            "Published: 2015年12月",
            "e\u{301} share",
            "share\u{301}",
            "ｓｈａｒｅ",
            "ＳＨＡＲＥ",
        ];
        fast_and_slow_paths_agree(&samples, true);
        let long = format!("copyright {}", "word ".repeat(24));
        assert_eq!(chrome_phrase(&long, true), chrome_phrase(&long, false));
        let longer = format!("share {}", "x".repeat(200));
        assert!(!chrome_phrase(&longer, true) && !chrome_phrase(&longer, false));
        assert!(contains_ignore_ascii_case(b"xxCoPyRiGhT", b"copyright"));
        // Same answers as a plain window search.
        let hays: [&[u8]; 8] = [
            b"",
            b"y",
            b"copyrigh",
            b"a copy right COPYRIGHTS",
            b"yyyyyycopyright",
            b"ImAgE and photo and getty",
            b"all rights reserve all rights reserved",
            b"vvvv all rights reserved",
        ];
        for hay in hays {
            for needle in [
                &b"copyright"[..],
                b"image",
                b"photo",
                b"getty",
                b"all rights reserved",
                b"y",
                b"",
                b"  ",
            ] {
                let plain = needle.is_empty()
                    || hay
                        .windows(needle.len())
                        .any(|w| w.eq_ignore_ascii_case(needle));
                assert_eq!(
                    contains_ignore_ascii_case(hay, needle),
                    plain,
                    "{:?} {:?}",
                    String::from_utf8_lossy(hay),
                    String::from_utf8_lossy(needle)
                );
            }
        }
        assert!(!contains_ignore_ascii_case(b"copyrigh", b"copyright"));
    }

    fn el(class: &str) -> Element {
        Element {
            name: "div".into(),
            attrs: vec![("class".into(), class.into())],
        }
    }

    #[test]
    fn class_tokens() {
        assert_eq!(
            class_signal(&el("entry-content clearfix")),
            ClassSignal::Positive
        );
        assert_eq!(class_signal(&el("share-buttons")), ClassSignal::Negative);
        assert_eq!(class_signal(&el("ad")), ClassSignal::Negative);
        assert_eq!(class_signal(&el("top-ad-slot")), ClassSignal::Negative);
        assert_eq!(
            class_signal(&el("header-wrapper")),
            ClassSignal::WeakNegative
        );
        assert_eq!(class_signal(&el("comment-list")), ClassSignal::Negative);
        assert_eq!(class_signal(&el("has-sidebar read")), ClassSignal::Neutral);
        assert_eq!(class_signal(&el("shadow heading")), ClassSignal::Neutral);
        // Parts of tokens: calls to action, bios, author boxes vs bylines.
        assert_eq!(
            class_signal(&el("inline-cta__title")),
            ClassSignal::Negative
        );
        assert_eq!(class_signal(&el("hero-author--bio")), ClassSignal::Negative);
        assert_eq!(
            class_signal(&el("_authordescription_15srf_27")),
            ClassSignal::Negative
        );
        assert_eq!(class_signal(&el("post-author")), ClassSignal::WeakNegative);
        assert_eq!(class_signal(&el("biology factor")), ClassSignal::Neutral);
    }

    #[test]
    fn calls_to_action() {
        assert!(is_call_to_action(
            "Sign up for our newsletter to get the latest."
        ));
        assert!(is_call_to_action(
            "By subscribing, you agree to our terms of service."
        ));
        assert!(is_call_to_action(
            "  Subscribe: weekly insights in your inbox"
        ));
        assert!(!is_call_to_action(
            "Subscribers to the service rose by a third last year."
        ));
        assert!(!is_call_to_action("Signups rose."));
        assert!(!is_call_to_action("é"));
    }

    #[test]
    fn chrome_phrases() {
        assert!(is_chrome_phrase("SHARE THIS ARTICLE"));
        assert!(is_chrome_phrase("Advertisement"));
        assert!(is_chrome_phrase("Table of Contents"));
        assert!(is_chrome_phrase("You are here:   Home"));
        assert!(is_chrome_phrase("Copyright 2010, All Rights Reserved."));
        assert!(is_chrome_phrase(
            "深圳报业集团版权所有, 未经授权禁止复制; Copyright 2010, All Rights Reserved."
        ));
        assert!(!is_chrome_phrase(
            "Share prices fell sharply on Tuesday after the announcement."
        ));
    }

    #[test]
    fn stop_words_separate_prose_from_lists() {
        let (d, _) =
            stop_word_density("The minister said that the talks would continue in the spring.");
        assert!(d > 0.3);
        let (d, _) = stop_word_density("Home News Sports Business Opinion Lifestyle Weather");
        assert!(d < 0.1);
    }
}
