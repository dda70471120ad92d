//! A small, forgiving HTML parser that builds an arena DOM.
//!
//! Not a full HTML5 tree builder, but it follows the rules that matter for text extraction:
//! void elements, raw-text elements (`script`, `style`, `title`, `textarea`), implied end tags
//! (`p`, `li`, `dt`/`dd`, `tr`/`td`/`th`, `option`), tolerant attribute syntax and character
//! references. Hostile input is bounded: nesting is capped (deeper elements are flattened into
//! their ancestor), attributes per element and attribute value lengths are capped, and the node
//! count never exceeds the number of tags and text runs in the input. Never recursive, so deep
//! nesting cannot overflow the stack.

use super::entities::decode_entities;
use std::borrow::Cow;

/// Index of a node in [`Dom::nodes`].
pub type NodeId = u32;
/// "No node".
pub const NONE: NodeId = u32::MAX;

/// Deepest element nesting kept; deeper start tags are ignored (their text is kept).
const MAX_DEPTH: usize = 256;
/// Attributes kept per element.
const MAX_ATTRS: usize = 32;
/// Longest attribute value kept (bytes); longer values are truncated.
const MAX_ATTR_VALUE: usize = 4096;
/// Longest raw-text element content kept (bytes), e.g. a JSON-LD script.
const MAX_RAW_TEXT: usize = 512 * 1024;

/// An element: lowercase name and its (capped) attributes.
#[derive(Debug, Clone)]
pub struct Element {
    /// Lowercase tag name (common names are shared statics, not allocations).
    pub name: Cow<'static, str>,
    /// Attributes: lowercase name (common names shared statics), decoded value.
    pub attrs: Vec<(Cow<'static, str>, Box<str>)>,
}

impl Element {
    /// Value of an attribute (name in lowercase).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| &**k == name)
            .map(|(_, v)| &**v)
    }
}

/// What a node holds.
#[derive(Debug, Clone)]
pub enum NodeData {
    /// The root.
    Document,
    /// An element.
    Element(Element),
    /// Decoded text.
    Text(String),
}

/// One node of the tree with its links.
#[derive(Debug, Clone)]
pub struct Node {
    /// Parent, [`NONE`] for the root.
    pub parent: NodeId,
    /// First child or [`NONE`].
    pub first_child: NodeId,
    /// Last child or [`NONE`].
    pub last_child: NodeId,
    /// Next sibling or [`NONE`].
    pub next_sibling: NodeId,
    /// Payload.
    pub data: NodeData,
}

/// The parsed document. Nodes are stored in document (pre-)order, so every node's index is
/// greater than its parent's: iterating indices backwards visits children before parents.
#[derive(Debug, Clone)]
pub struct Dom {
    /// All nodes; index 0 is the document root.
    pub nodes: Vec<Node>,
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "basefont", "frame",
];
/// Elements whose content is raw text up to the matching end tag.
const RAW_TEXT: &[&str] = &[
    "script", "style", "title", "textarea", "xmp", "noscript", "iframe", "noembed", "noframes",
];
/// Raw-text elements whose content we keep as a text node.
const RAW_KEEP: &[&str] = &["title", "textarea", "script"];
/// Start tags that close an open `<p>`.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];

impl Dom {
    /// Parse HTML. Never panics; time and memory are linear in the input size.
    pub fn parse(html: &str) -> Dom {
        let mut b = Builder::new(html.len());
        let bytes = html.as_bytes();
        let mut i = 0;
        let mut text_start = 0;
        while let Some(off) = memchr::memchr(b'<', bytes.get(i..).unwrap_or_default()) {
            let lt = i + off;
            let next = bytes.get(lt + 1).copied().unwrap_or(0);
            if next.is_ascii_alphabetic() {
                b.text(html.get(text_start..lt).unwrap_or_default());
                let (end, tag) = parse_start_tag(html, lt + 1);
                i = end;
                if let Some((name, attrs, self_closing)) = tag {
                    if RAW_TEXT.contains(&&*name) && !self_closing {
                        let (content, after) = raw_text(html, end, &name);
                        let keep = RAW_KEEP.contains(&&*name);
                        b.start(name, attrs, false);
                        if keep {
                            let content = content.get(..floor_char(content, MAX_RAW_TEXT));
                            let content = content.unwrap_or_default();
                            if b.current_name() == "script" {
                                b.raw(content.to_string());
                            } else {
                                b.raw(decode_entities(content).into_owned());
                            }
                        }
                        b.end_current();
                        i = after;
                    } else {
                        b.start(name, attrs, self_closing);
                    }
                }
                text_start = i;
            } else if next == b'/' {
                b.text(html.get(text_start..lt).unwrap_or_default());
                let close = memchr::memchr(b'>', bytes.get(lt..).unwrap_or_default())
                    .map_or(bytes.len(), |j| lt + j + 1);
                let raw = html
                    .get(lt + 2..close)
                    .unwrap_or_default()
                    .split(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
                    .next()
                    .unwrap_or_default();
                if !raw.is_empty() {
                    b.end(&lower_name(raw));
                }
                i = close;
                text_start = i;
            } else if next == b'!' || next == b'?' {
                b.text(html.get(text_start..lt).unwrap_or_default());
                let rest = html.get(lt..).unwrap_or_default();
                i = if rest.starts_with("<!--") {
                    rest.get(4..)
                        .and_then(|r| r.find("-->"))
                        .map_or(bytes.len(), |j| lt + 4 + j + 3)
                } else if rest.len() >= 9 && rest.as_bytes()[..9].eq_ignore_ascii_case(b"<![CDATA[")
                {
                    let end = rest.find("]]>").map_or(bytes.len(), |j| lt + j + 3);
                    b.text(html.get(lt + 9..end.saturating_sub(3)).unwrap_or_default());
                    end
                } else {
                    memchr::memchr(b'>', rest.as_bytes()).map_or(bytes.len(), |j| lt + j + 1)
                };
                text_start = i;
            } else {
                // A lone '<' is text.
                i = lt + 1;
            }
        }
        b.text(html.get(text_start..).unwrap_or_default());
        Dom { nodes: b.nodes }
    }

    /// The node.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id as usize)
    }

    /// The element of a node, if it is one.
    pub fn element(&self, id: NodeId) -> Option<&Element> {
        match self.node(id).map(|n| &n.data) {
            Some(NodeData::Element(e)) => Some(e),
            _ => None,
        }
    }

    /// Ids of all elements with this tag name, in document order.
    #[cfg(test)]
    pub fn elements_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = NodeId> + 'a {
        self.nodes
            .iter()
            .enumerate()
            .filter_map(move |(i, n)| match &n.data {
                NodeData::Element(e) if &*e.name == name => Some(i as NodeId),
                _ => None,
            })
    }

    /// Whether `node` is `ancestor` or inside it.
    #[cfg(test)]
    pub fn is_within(&self, mut node: NodeId, ancestor: NodeId) -> bool {
        while node != NONE {
            if node == ancestor {
                return true;
            }
            if node < ancestor {
                return false;
            }
            node = self.node(node).map_or(NONE, |n| n.parent);
        }
        false
    }

    /// Text under a node as the browser shows it (iterative), whitespace-collapsed: inline
    /// elements join directly ("<b>W</b>ord" is "Word"), while block and line-breaking
    /// elements (`p`, `div`, `li`, `td`, headings, `br`, ...) separate their text from
    /// the text around them with a space ("Dec 17<div>Jane</div>" is "Dec 17 Jane").
    pub fn text_of(&self, id: NodeId) -> String {
        let end = self.subtree_end(id);
        let mut out = String::new();
        // Subtree ends of the open block elements (bounded by the nesting cap).
        let mut block_ends: Vec<usize> = Vec::new();
        let mut i = id as usize;
        while i < end {
            while block_ends.last().is_some_and(|&e| e <= i) {
                block_ends.pop();
                out.push(' ');
            }
            match self.nodes.get(i).map(|n| &n.data) {
                Some(NodeData::Text(t)) => out.push_str(t),
                Some(NodeData::Element(e)) if matches!(&*e.name, "script" | "style") => {
                    i = self.subtree_end(i as NodeId);
                    continue;
                }
                Some(NodeData::Element(e)) if i != id as usize && is_block_element(&e.name) => {
                    out.push(' ');
                    block_ends.push(self.subtree_end(i as NodeId));
                }
                _ => {}
            }
            i += 1;
        }
        super::clean::collapse_whitespace(&out)
    }

    /// [`Dom::subtree_end`] for every node at once, in linear time.
    pub fn subtree_ends(&self) -> Vec<u32> {
        let n = self.nodes.len();
        let mut ends = vec![n as u32; n];
        for i in 1..n {
            let node = &self.nodes[i];
            ends[i] = if node.next_sibling != NONE {
                node.next_sibling
            } else {
                ends.get(node.parent as usize).copied().unwrap_or(n as u32)
            };
        }
        ends
    }

    /// One past the last node index of the subtree rooted at `id` (pre-order layout).
    pub fn subtree_end(&self, id: NodeId) -> usize {
        let mut cur = id;
        while cur != NONE {
            let Some(n) = self.node(cur) else { break };
            if n.next_sibling != NONE {
                return n.next_sibling as usize;
            }
            cur = n.parent;
        }
        self.nodes.len()
    }
}

/// Elements the browser lays out as blocks or line breaks: text on either side of one is
/// never run together.
pub fn is_block_element(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "caption"
            | "blockquote"
            | "pre"
            | "figure"
            | "figcaption"
            | "header"
            | "aside"
            | "form"
            | "fieldset"
            | "address"
            | "details"
            | "summary"
            | "hr"
            | "br"
            | "body"
            | "html"
            | "center"
            | "legend"
    )
}

/// Largest char boundary ≤ `max`.
fn floor_char(s: &str, max: usize) -> usize {
    if max >= s.len() {
        return s.len();
    }
    let mut m = max;
    while m > 0 && !s.is_char_boundary(m) {
        m -= 1;
    }
    m
}

type Attrs = Vec<(Cow<'static, str>, Box<str>)>;

/// Tag and attribute names common enough to share one static string instead of allocating
/// one per element.
const COMMON_NAMES: &[&str] = &[
    "a",
    "abbr",
    "address",
    "article",
    "aside",
    "b",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "center",
    "cite",
    "code",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "i",
    "iframe",
    "img",
    "input",
    "label",
    "li",
    "link",
    "main",
    "meta",
    "nav",
    "noscript",
    "ol",
    "option",
    "p",
    "path",
    "picture",
    "pre",
    "q",
    "s",
    "script",
    "section",
    "select",
    "small",
    "source",
    "span",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "svg",
    "table",
    "tbody",
    "td",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "u",
    "ul",
    "video",
    "g",
    "use",
    "wbr",
    "class",
    "id",
    "href",
    "src",
    "srcset",
    "sizes",
    "style",
    "rel",
    "type",
    "content",
    "name",
    "property",
    "itemprop",
    "itemscope",
    "itemtype",
    "lang",
    "datetime",
    "hidden",
    "aria-hidden",
    "aria-label",
    "role",
    "alt",
    "width",
    "height",
    "target",
    "loading",
    "data-src",
    "charset",
    "http-equiv",
    "async",
    "defer",
    "value",
    "for",
    "tabindex",
    "viewbox",
    "xmlns",
    "d",
    "fill",
    "media",
    "onclick",
    "action",
    "method",
    "pubdate",
    "xml:lang",
    "decoding",
    "crossorigin",
    "integrity",
    "referrerpolicy",
];

/// [`COMMON_NAMES`] keyed by their bytes (lookups need no UTF-8 check).
static COMMON_NAME_MAP: std::sync::LazyLock<rustc_hash::FxHashMap<&'static [u8], &'static str>> =
    std::sync::LazyLock::new(|| COMMON_NAMES.iter().map(|n| (n.as_bytes(), *n)).collect());

/// The lowercase form of a tag or attribute name, shared when it is a common one.
fn lower_name(raw: &str) -> Cow<'static, str> {
    let mut buf = [0u8; 16];
    if let Some(lower) = buf.get_mut(..raw.len()) {
        lower.copy_from_slice(raw.as_bytes());
        lower.make_ascii_lowercase();
        if let Some(&known) = COMMON_NAME_MAP.get(&*lower) {
            return Cow::Borrowed(known);
        }
    }
    Cow::Owned(raw.to_ascii_lowercase())
}

/// Parse a start tag whose name begins at `i`. Returns the index after the tag and
/// `(name, attrs, self_closing)`.
fn parse_start_tag(html: &str, mut i: usize) -> (usize, Option<(Cow<'static, str>, Attrs, bool)>) {
    let bytes = html.as_bytes();
    let name_start = i;
    while i < bytes.len()
        && !matches!(
            bytes[i],
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>'
        )
    {
        i += 1;
    }
    let name = lower_name(html.get(name_start..i).unwrap_or_default());
    let mut attrs: Attrs = Vec::new();
    let mut self_closing = false;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            self_closing = bytes[i] == b'/';
            i += 1;
        }
        if i >= bytes.len() {
            return (bytes.len(), Some((name, attrs, self_closing)));
        }
        if bytes[i] == b'>' {
            return (i + 1, Some((name, attrs, self_closing)));
        }
        self_closing = false;
        let an_start = i;
        i += 1;
        while i < bytes.len()
            && !matches!(
                bytes[i],
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>' | b'='
            )
        {
            i += 1;
        }
        let an_end = i;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value: &str = "";
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let v_start = i + 1;
                    let v_end = memchr::memchr(q, bytes.get(v_start..).unwrap_or_default())
                        .map_or(bytes.len(), |j| v_start + j);
                    value = html.get(v_start..v_end).unwrap_or_default();
                    i = (v_end + 1).min(bytes.len());
                }
                Some(_) => {
                    let v_start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = html.get(v_start..i).unwrap_or_default();
                }
                None => {}
            }
        }
        if attrs.len() < MAX_ATTRS {
            let an = lower_name(html.get(an_start..an_end).unwrap_or_default());
            if !attrs.iter().any(|(k, _)| *k == an) {
                let value = value
                    .get(..floor_char(value, MAX_ATTR_VALUE))
                    .unwrap_or_default();
                attrs.push((an, decode_entities(value).into_owned().into()));
            }
        }
    }
}

/// Content of a raw-text element starting at `i` and the index after its end tag.
fn raw_text<'a>(html: &'a str, i: usize, name: &str) -> (&'a str, usize) {
    let bytes = html.as_bytes();
    let finder = memchr::memmem::Finder::new(b"</");
    let mut from = i;
    while let Some(off) = finder.find(bytes.get(from..).unwrap_or_default()) {
        let pos = from + off;
        let cand = bytes.get(pos + 2..pos + 2 + name.len()).unwrap_or_default();
        let after = bytes.get(pos + 2 + name.len()).copied().unwrap_or(b'>');
        if cand.eq_ignore_ascii_case(name.as_bytes())
            && matches!(after, b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/')
        {
            let close = memchr::memchr(b'>', bytes.get(pos..).unwrap_or_default())
                .map_or(bytes.len(), |j| pos + j + 1);
            return (html.get(i..pos).unwrap_or_default(), close);
        }
        from = pos + 2;
    }
    (html.get(i..).unwrap_or_default(), bytes.len())
}

struct Builder {
    nodes: Vec<Node>,
    /// Open elements (node ids); the document root is not on the stack.
    stack: Vec<NodeId>,
    /// Start tags ignored because of the depth cap and not yet closed, by name.
    ignored: std::collections::HashMap<Cow<'static, str>, usize>,
}

impl Builder {
    fn new(input_len: usize) -> Self {
        let mut nodes = Vec::with_capacity((input_len / 40).min(1 << 20));
        nodes.push(Node {
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            data: NodeData::Document,
        });
        Builder {
            nodes,
            stack: Vec::new(),
            ignored: std::collections::HashMap::new(),
        }
    }

    fn current(&self) -> NodeId {
        self.stack.last().copied().unwrap_or(0)
    }

    fn current_name(&self) -> &str {
        self.name_of(self.current())
    }

    fn name_of(&self, id: NodeId) -> &str {
        match self.nodes.get(id as usize).map(|n| &n.data) {
            Some(NodeData::Element(e)) => &e.name,
            _ => "",
        }
    }

    fn append(&mut self, data: NodeData) -> NodeId {
        let parent = self.current();
        let id = self.nodes.len() as NodeId;
        let prev_last = self
            .nodes
            .get(parent as usize)
            .map_or(NONE, |p| p.last_child);
        self.nodes.push(Node {
            parent,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            data,
        });
        if let Some(prev) = self.nodes.get_mut(prev_last as usize) {
            prev.next_sibling = id;
        }
        if let Some(p) = self.nodes.get_mut(parent as usize) {
            if p.first_child == NONE {
                p.first_child = id;
            }
            p.last_child = id;
        }
        id
    }

    fn text(&mut self, raw: &str) {
        if raw.is_empty() {
            return;
        }
        let decoded = decode_entities(raw);
        self.raw(decoded.into_owned());
    }

    /// Append text, merging with a preceding text sibling.
    fn raw(&mut self, text: String) {
        if text.is_empty() {
            return;
        }
        let parent = self.current();
        let last = self
            .nodes
            .get(parent as usize)
            .map_or(NONE, |p| p.last_child);
        if let Some(Node {
            data: NodeData::Text(t),
            ..
        }) = self.nodes.get_mut(last as usize)
        {
            t.push_str(&text);
            return;
        }
        self.append(NodeData::Text(text));
    }

    fn in_scope(&self, name: &str, stop: &[&str]) -> bool {
        for &id in self.stack.iter().rev() {
            let n = self.name_of(id);
            if n == name {
                return true;
            }
            if stop.contains(&n) {
                return false;
            }
        }
        false
    }

    fn start(&mut self, name: Cow<'static, str>, attrs: Attrs, self_closing: bool) {
        // Implied end tags.
        match &*name {
            n if CLOSES_P.contains(&n) => {
                if self.in_scope("p", &["div", "td", "th", "li", "table", "body", "button"]) {
                    self.end("p");
                }
                if matches!(n, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
                    && matches!(self.current_name(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
                {
                    self.end_current();
                }
            }
            "li" if self.in_scope("li", &["ul", "ol", "div", "table", "body"]) => {
                self.end("li");
            }
            "dt" | "dd" => {
                if self.in_scope("dd", &["dl", "div", "body"]) {
                    self.end("dd");
                } else if self.in_scope("dt", &["dl", "div", "body"]) {
                    self.end("dt");
                }
            }
            "tr" if self.in_scope("tr", &["table", "tbody", "thead", "tfoot"]) => {
                self.end("tr");
            }
            "td" | "th" => {
                if self.in_scope("td", &["tr", "table"]) {
                    self.end("td");
                } else if self.in_scope("th", &["tr", "table"]) {
                    self.end("th");
                }
            }
            "option" if self.current_name() == "option" => {
                self.end_current();
            }
            // `<body>` closes a `<head>` left open, and whatever was left open inside it.
            "body" => {
                if let Some(pos) = self
                    .stack
                    .iter()
                    .rposition(|&id| self.name_of(id) == "head")
                {
                    self.stack.truncate(pos);
                }
            }
            _ => {}
        }
        let void = VOID.contains(&&*name);
        if !void && !self_closing && self.stack.len() >= MAX_DEPTH {
            *self.ignored.entry(name).or_insert(0) += 1;
            return;
        }
        let id = self.append(NodeData::Element(Element { name, attrs }));
        let keep_open = !(void || self_closing && self.is_foreign_context());
        if keep_open {
            self.stack.push(id);
        }
    }

    /// Self-closing syntax only counts inside SVG/MathML; we approximate with "svg" ancestors.
    fn is_foreign_context(&self) -> bool {
        self.stack
            .iter()
            .rev()
            .take(32)
            .any(|&id| matches!(self.name_of(id), "svg" | "math"))
    }

    fn end_current(&mut self) {
        self.stack.pop();
    }

    fn end(&mut self, name: &str) {
        if name == "br" {
            self.start(Cow::Borrowed("br"), Vec::new(), true);
            return;
        }
        if let Some(count) = self.ignored.get_mut(name) {
            // An end tag for a flattened element: those were opened last, so close them first.
            *count -= 1;
            if *count == 0 {
                self.ignored.remove(name);
            }
            return;
        }
        if let Some(pos) = self.stack.iter().rposition(|&id| self.name_of(id) == name) {
            // Don't let a stray end tag close structural containers far away.
            let crossing_table = self.stack[pos + 1..]
                .iter()
                .any(|&id| matches!(self.name_of(id), "table" | "template"))
                && !matches!(name, "table" | "template");
            if !crossing_table {
                self.stack.truncate(pos);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dom: &Dom) -> Vec<String> {
        dom.nodes
            .iter()
            .filter_map(|n| match &n.data {
                NodeData::Element(e) => Some(e.name.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn body_closes_an_open_head() {
        let dom = Dom::parse("<html><head><title>t</title><div>x<body><p>text</p></body></html>");
        let head = dom.elements_named("head").next().unwrap();
        let body = dom.elements_named("body").next().unwrap();
        assert!(!dom.is_within(body, head));
        let p = dom.elements_named("p").next().unwrap();
        assert!(dom.is_within(p, body));
    }

    #[test]
    fn builds_tree_with_implied_ends() {
        let dom = Dom::parse("<div><p>one<p>two<ul><li>a<li>b</ul></div>");
        let ps: Vec<_> = dom.elements_named("p").collect();
        assert_eq!(ps.len(), 2);
        assert_eq!(dom.text_of(ps[0]), "one");
        assert_eq!(dom.text_of(ps[1]), "two");
        let lis: Vec<_> = dom.elements_named("li").collect();
        assert_eq!(dom.text_of(lis[0]), "a");
        assert_eq!(dom.text_of(lis[1]), "b");
        // The list is not inside the second paragraph.
        let ul = dom.elements_named("ul").next().unwrap();
        assert!(!dom.is_within(ul, ps[1]));
    }

    #[test]
    fn raw_text_and_attributes() {
        let dom = Dom::parse(
            r#"<html lang=en><title>A &amp; B</title><script type="application/ld+json">{"a":"<p>"}</script><a HREF='/x?a=1&amp;b=2' class="k  l">t</a><img src=x.png/>"#,
        );
        assert_eq!(names(&dom), ["html", "title", "script", "a", "img"]);
        let t = dom.elements_named("title").next().unwrap();
        assert_eq!(dom.text_of(t), "A & B");
        let a = dom.elements_named("a").next().unwrap();
        assert_eq!(dom.element(a).unwrap().attr("href"), Some("/x?a=1&b=2"));
        let s = dom.elements_named("script").next().unwrap();
        let first = dom.node(s).unwrap().first_child;
        assert!(
            matches!(&dom.node(first).unwrap().data, NodeData::Text(t) if t == r#"{"a":"<p>"}"#)
        );
    }

    #[test]
    fn comments_and_broken_markup_do_not_panic() {
        for html in [
            "<",
            "<p",
            "<!--",
            "<!-- x --> <p>a</p>",
            "<a href='x>y</a>",
            "</nav></nav><p>one</p>",
            "<script>never closed",
            "<div a=\"\u{e9}\" b='\u{1F600}'>\u{e9}</div><",
            "<![CDATA[x",
            "<p>a &#xZZ; &#99999999; &",
        ] {
            let _ = Dom::parse(html);
        }
    }

    #[test]
    fn deep_nesting_is_capped() {
        let html = "<div>".repeat(100_000) + "deep text" + &"</div>".repeat(100_000);
        let dom = Dom::parse(&html);
        assert!(dom.nodes.len() <= MAX_DEPTH + 2);
        assert_eq!(dom.text_of(0), "deep text");
    }

    #[test]
    fn text_of_separates_blocks_but_not_inline_elements() {
        let dom = Dom::parse(
            "<div id=m><span>Dec 17, 2025</span><div>Julian Smith</div>\
             <p>(US)</p><p>Your <b>W</b>ord<br>By <a>Daryl Austin</a></p>\
             <ul><li>one</li><li>two</li></ul><table><tr><td>a</td><td>b</td></tr></table>\
             <h2>Head<em>line</em></h2>tail</div>",
        );
        let m = dom.elements_named("div").next().unwrap();
        assert_eq!(
            dom.text_of(m),
            "Dec 17, 2025 Julian Smith (US) Your Word By Daryl Austin one two a b Headline tail"
        );
        // A block's own text: no separator added around it, whitespace collapsed.
        let h2 = dom.elements_named("h2").next().unwrap();
        assert_eq!(dom.text_of(h2), "Headline");
    }
}
