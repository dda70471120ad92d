//! Main-content extraction from the DOM.
//!
//! 1. Segment the page into text blocks (runs of inline content between block-level tags),
//!    skipping elements that never hold article text (scripts, forms, nav, hidden elements).
//! 2. Classify each block jusText-style: *good* (prose: long enough, few links, stop words or
//!    sentence punctuation), *bad* (link lists, chrome phrases) or *short* (headings, labels).
//! 3. Mark chrome containers by class/id tokens ("share", "related", "comments", ads, …), except a
//!    container that holds most of the page's prose (layout wrappers often carry such names).
//! 4. Score every element by the blocks it contains (good prose counts for, chrome against) and
//!    take the best-scoring element as the article container.
//! 5. Inside it keep good blocks and the short blocks that sit among them (subheadings, list
//!    items), dropping chrome, leading bylines and trailing labels.

use super::boilerplate::{self, ClassSignal};
use super::clean::{collapse_whitespace, count_words, is_unspaced_script};
use super::dom::{Dom, NONE, NodeData, NodeId};

/// What kind of element a block sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// `h1`–`h6` (level).
    Heading(u8),
    /// `li`, `dt`, `dd`.
    ListItem,
    /// `td`, `th`.
    Cell,
    /// `figcaption` and similar.
    Caption,
    /// `pre`.
    Pre,
    /// Anything else (`p`, `div`, `blockquote`, …).
    Para,
}

/// Quality class of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Prose.
    Good,
    /// Too short to judge alone.
    Short,
    /// Chrome.
    Bad,
}

/// A run of text between block boundaries.
#[derive(Debug, Clone)]
pub struct Block {
    /// Whitespace-collapsed text.
    pub text: String,
    /// Innermost block element around it.
    pub elem: NodeId,
    /// Element kind.
    pub kind: BlockKind,
    /// Characters inside links.
    pub link_chars: usize,
    /// All characters.
    pub chars: usize,
    /// Words.
    pub words: usize,
    /// Quality class (before container effects).
    pub class: Class,
    /// Inside a chrome container.
    pub boiler: bool,
}

fn kind_of(name: &str) -> BlockKind {
    match name {
        "h1" => BlockKind::Heading(1),
        "h2" => BlockKind::Heading(2),
        "h3" => BlockKind::Heading(3),
        "h4" => BlockKind::Heading(4),
        "h5" => BlockKind::Heading(5),
        "h6" => BlockKind::Heading(6),
        "li" | "dt" | "dd" => BlockKind::ListItem,
        "td" | "th" => BlockKind::Cell,
        "figcaption" | "caption" => BlockKind::Caption,
        "pre" => BlockKind::Pre,
        _ => BlockKind::Para,
    }
}

/// Per-element facts computed once per page.
pub struct Analysis {
    /// Blocks in document order.
    pub blocks: Vec<Block>,
    /// Elements judged chrome by class/id (after the majority check).
    pub boiler: Vec<bool>,
    /// Elements dropped entirely (scripts, nav, hidden, …), inherited by descendants.
    pub dropped: Vec<bool>,
}

/// Segment and classify the page.
pub fn analyze(dom: &Dom) -> Analysis {
    let n = dom.nodes.len();
    let mut dropped = vec![false; n];
    let mut negative = vec![false; n];
    let mut positive = vec![false; n];
    let mut weak = vec![false; n];
    for (i, node) in dom.nodes.iter().enumerate() {
        let parent_dropped = dropped.get(node.parent as usize).copied().unwrap_or(false);
        if let NodeData::Element(el) = &node.data {
            let d = parent_dropped
                || boilerplate::is_dropped_element(&el.name)
                || boilerplate::is_hidden_or_chrome_role(el);
            if let Some(x) = dropped.get_mut(i) {
                *x = d;
            }
            // Headings name themselves in their classes ("header-anchor", "section-header");
            // the box around a heading carries the chrome signal when there is one.
            if !matches!(
                &*el.name,
                "html" | "body" | "main" | "article" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            ) {
                match boilerplate::class_signal(el) {
                    ClassSignal::Negative => negative[i] = true,
                    ClassSignal::WeakNegative => weak[i] = true,
                    ClassSignal::Positive => positive[i] = true,
                    ClassSignal::Neutral => {}
                }
                // Forms are sign-ups, searches and lead captures; a page-wide form wrapper
                // (ASP.NET) holds most of the prose and is let off by the majority check.
                if matches!(&*el.name, "aside" | "form") {
                    negative[i] = true;
                }
                if &*el.name == "header" {
                    weak[i] = true;
                }
            }
        } else if let Some(x) = dropped.get_mut(i) {
            *x = parent_dropped;
        }
    }
    let ends = dom.subtree_ends();
    let mut blocks = segment(dom, &dropped, &ends);
    for b in &mut blocks {
        b.class = classify(b);
    }
    for card in teaser_cards(dom, &blocks, &ends) {
        if let Some(x) = negative.get_mut(card as usize) {
            *x = true;
        }
    }
    // Prose per element, to protect layout wrappers that carry chrome-like names.
    let mut good = vec![0usize; n];
    for b in &blocks {
        if b.class == Class::Good {
            let mut cur = b.elem;
            while let Some(g) = good.get_mut(cur as usize) {
                *g += b.chars - b.link_chars;
                cur = dom.node(cur).map_or(NONE, |n| n.parent);
            }
        }
    }
    let total_good = good.first().copied().unwrap_or(0);
    // Weak signals (widgets, headers, credits, …) yield to substantial prose; strong ones
    // (comments, related, share, …) only to a container holding most of the page's prose.
    // When that leaves no prose outside chrome boxes at all (a short page whose text sits in
    // an "editor widget"), weak boxes holding most of the prose are let off as well.
    let mark = |weak_majority: bool| {
        let mut boiler = vec![false; n];
        for i in 0..n {
            let parent = dom.nodes.get(i).map_or(NONE, |n| n.parent);
            let inherited = parent != NONE && boiler.get(parent as usize).copied().unwrap_or(false);
            let minority = good[i] * 2 < total_good || total_good == 0;
            let own = !positive[i]
                && ((negative[i] && minority)
                    || (weak[i] && good[i] < 600 && (minority || !weak_majority)));
            boiler[i] = inherited || own;
        }
        boiler
    };
    let mut boiler = mark(false);
    let prose_outside_chrome = blocks
        .iter()
        .any(|b| b.class == Class::Good && !boiler.get(b.elem as usize).copied().unwrap_or(true));
    if !prose_outside_chrome && total_good > 0 {
        boiler = mark(true);
    }
    for b in &mut blocks {
        b.boiler = boiler.get(b.elem as usize).copied().unwrap_or(false);
    }
    Analysis {
        blocks,
        boiler,
        dropped,
    }
}

/// Split the page into blocks (iterative walk).
fn segment(dom: &Dom, dropped: &[bool], ends: &[u32]) -> Vec<Block> {
    struct Open {
        node: NodeId,
        block: bool,
        link: bool,
    }
    let mut blocks = Vec::new();
    let mut buf = String::new();
    let mut link_chars = 0usize;
    let mut link_depth = 0usize;
    let mut block_stack: Vec<NodeId> = vec![0];
    let mut open: Vec<Open> = Vec::new();
    let mut flush = |buf: &mut String, link_chars: &mut usize, elem: NodeId, dom: &Dom| {
        if buf.trim().is_empty() {
            buf.clear();
            *link_chars = 0;
            return;
        }
        let text = collapse_whitespace(buf);
        buf.clear();
        let chars = text.chars().count();
        let kind = dom
            .element(elem)
            .map_or(BlockKind::Para, |e| kind_of(&e.name));
        blocks.push(Block {
            words: count_words(&text),
            text,
            elem,
            kind,
            link_chars: (*link_chars).min(chars),
            chars,
            class: Class::Short,
            boiler: false,
        });
        *link_chars = 0;
    };
    let subtree_end = |id: usize| ends.get(id).map_or(usize::MAX, |&e| e as usize);
    let mut i: usize = 1;
    let end = dom.nodes.len();
    while i < end {
        // Close elements whose subtree ended before i.
        while let Some(top) = open.last() {
            if subtree_end(top.node as usize) <= i {
                let top_block = top.block;
                if top.link {
                    link_depth = link_depth.saturating_sub(1);
                }
                if top_block {
                    let elem = block_stack.last().copied().unwrap_or(0);
                    flush(&mut buf, &mut link_chars, elem, dom);
                    block_stack.pop();
                }
                open.pop();
            } else {
                break;
            }
        }
        if dropped.get(i).copied().unwrap_or(true) {
            i = subtree_end(i).max(i + 1);
            continue;
        }
        let Some(node) = dom.nodes.get(i) else { break };
        match &node.data {
            NodeData::Text(t) => {
                if link_depth > 0 {
                    link_chars += t.chars().filter(|c| !c.is_whitespace()).count();
                }
                buf.push_str(t);
            }
            NodeData::Element(el) => {
                let name = &*el.name;
                let block = super::dom::is_block_element(name);
                if block {
                    let elem = block_stack.last().copied().unwrap_or(0);
                    flush(&mut buf, &mut link_chars, elem, dom);
                }
                if name == "img" {
                    buf.push(' ');
                }
                let has_children = node.first_child != NONE;
                if has_children {
                    let link = name == "a";
                    if link {
                        link_depth += 1;
                    }
                    if block {
                        block_stack.push(i as NodeId);
                    }
                    open.push(Open {
                        node: i as NodeId,
                        block,
                        link,
                    });
                } else if !block {
                    buf.push(' ');
                }
            }
            NodeData::Document => {}
        }
        i += 1;
    }
    let elem = block_stack.last().copied().unwrap_or(0);
    flush(&mut buf, &mut link_chars, elem, dom);
    // Link chars counted non-whitespace; make density comparable by counting text the same way.
    for b in &mut blocks {
        let non_ws = b.text.chars().filter(|c| !c.is_whitespace()).count();
        b.link_chars = b.link_chars.min(non_ws);
        b.chars = non_ws.max(1);
    }
    blocks
}

/// Teaser cards: a linked title followed by a short unlinked excerpt, wrapped together in a
/// small element (title, excerpt, maybe a date or byline) whose tag and class repeat on the
/// page. Related-post grids, sidebars of "more stories" and product tiles look like this;
/// an article's own linked subheadings sit directly in the long article body instead.
fn teaser_cards(dom: &Dom, blocks: &[Block], ends: &[u32]) -> Vec<NodeId> {
    let end_of = |id: NodeId| ends.get(id as usize).map_or(0, |&e| e);
    let inside = |b: &Block, card: NodeId| b.elem >= card && b.elem < end_of(card);
    // (card, tag, class, index of the card's last block)
    let mut found: Vec<(NodeId, &str, &str, usize)> = Vec::new();
    for (i, t) in blocks.iter().enumerate() {
        if !(3..=25).contains(&t.words) || link_density(t) < 0.6 {
            continue;
        }
        // The excerpt, maybe after a byline or date line or two ("Jo Smith", "May 5, 2025").
        let mut ei = i + 1;
        while ei < i + 3 && blocks.get(ei).is_some_and(is_byline_or_date_line) {
            ei += 1;
        }
        let between = ei - i - 1;
        let Some(e) = blocks.get(ei) else { continue };
        if e.words < 8 || e.words > 80 || link_density(e) > 0.3 {
            continue;
        }
        // Lowest common ancestor of title and excerpt.
        let mut card = t.elem;
        while card != NONE && !(card <= e.elem && e.elem < end_of(card)) {
            card = dom.node(card).map_or(NONE, |n| n.parent);
        }
        let Some(el) = dom.element(card) else {
            continue;
        };
        if matches!(&*el.name, "body" | "html" | "main") {
            continue;
        }
        // Small: at most five blocks in the card.
        let before = blocks
            .get(i.saturating_sub(3)..i)
            .unwrap_or_default()
            .iter()
            .filter(|b| inside(b, card))
            .count();
        let after = blocks
            .get(ei + 1..(ei + 5).min(blocks.len()))
            .unwrap_or_default()
            .iter()
            .filter(|b| inside(b, card))
            .count();
        if before + between + after > 3 {
            continue;
        }
        found.push((
            card,
            &el.name,
            el.attr("class").unwrap_or_default(),
            ei + after,
        ));
    }
    if found.len() < 2 {
        return Vec::new();
    }
    // Prose after each block that is not in a card: cards followed by the article's prose are
    // part of it (product roundups, listicles); teasers come after the article or beside it.
    let mut in_card = vec![false; blocks.len()];
    for &(card, _, _, last) in &found {
        for k in last.saturating_sub(6)..=last {
            if let Some(b) = blocks.get(k)
                && inside(b, card)
                && let Some(x) = in_card.get_mut(k)
            {
                *x = true;
            }
        }
    }
    let mut prose_after = vec![0usize; blocks.len() + 1];
    for k in (0..blocks.len()).rev() {
        let own = match (blocks.get(k), in_card.get(k)) {
            (Some(b), Some(false)) if b.class == Class::Good => b.chars - b.link_chars,
            _ => 0,
        };
        let next = prose_after.get(k + 1).copied().unwrap_or(0);
        if let Some(x) = prose_after.get_mut(k) {
            *x = next + own;
        }
    }
    found
        .iter()
        .filter(|(c, name, class, last)| {
            prose_after.get(last + 1).copied().unwrap_or(0) < 500
                && found
                    .iter()
                    .any(|(o, n, k, _)| o != c && n == name && k == class)
        })
        .map(|(c, _, _, _)| *c)
        .collect()
}

/// A card's byline or date line between its title and excerpt: a short line with a number in
/// it ("May 5, 2025", "3 min read"), a name of one or two words, or a "By …" credit.
fn is_byline_or_date_line(b: &Block) -> bool {
    b.words <= 6
        && (b.words <= 2
            || b.text.chars().any(|c| c.is_ascii_digit())
            || b.text.starts_with("By ")
            || b.text.starts_with("by "))
}

/// Link density of a block.
pub fn link_density(b: &Block) -> f32 {
    b.link_chars as f32 / b.chars.max(1) as f32
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end_matches(['"', '”', '’', '\'', ')', '»', ' '])
        .ends_with(['.', '!', '?', '。', '！', '？', '…', ':', ';'])
}

fn classify(b: &Block) -> Class {
    let ld = link_density(b);
    if ld > 0.5
        || (b.words <= 12 && boilerplate::is_chrome_phrase(&b.text))
        || (b.words <= 60 && boilerplate::is_call_to_action(&b.text))
    {
        return Class::Bad;
    }
    if matches!(b.kind, BlockKind::Heading(_)) {
        return Class::Short;
    }
    let cjk = b.text.chars().filter(|&c| is_unspaced_script(c)).count();
    if cjk * 2 > b.chars {
        return if b.chars >= 40 && ld < 0.3 {
            Class::Good
        } else {
            Class::Short
        };
    }
    if b.words >= 10 && ld < 0.35 {
        let (sd, _) = boilerplate::stop_word_density(&b.text);
        if sd >= 0.12 || ends_sentence(&b.text) || b.words >= 25 {
            return Class::Good;
        }
    }
    Class::Short
}

/// Container score contribution of a block.
fn block_score(b: &Block) -> f32 {
    if b.boiler {
        // Chrome containers are pruned from the output anyway; they must not pull the choice
        // away from an article that encloses them (comment threads inside the post box).
        return -(b.chars.min(400) as f32) * 0.1 - 2.0;
    }
    match b.class {
        Class::Good => (b.chars - b.link_chars) as f32,
        Class::Short => {
            if matches!(b.kind, BlockKind::Heading(_)) {
                2.0
            } else if b.kind == BlockKind::Cell && b.link_chars == 0 {
                // Data tables are many short unlinked cells: neutral, so a table inside the
                // article does not push the choice down to a box holding only its intro.
                0.0
            } else {
                -4.0
            }
        }
        Class::Bad => -(b.chars.min(300) as f32) * 0.3 - 3.0,
    }
}

/// The chosen article container and the paragraphs extracted from it.
pub struct Extraction {
    /// The container element.
    pub container: NodeId,
    /// Paragraph texts in order.
    pub paragraphs: Vec<String>,
    /// Indices (into `Analysis::blocks`) of the kept blocks.
    pub kept: Vec<usize>,
}

/// Pick the container and the paragraphs to keep. `title` is removed when it repeats.
pub fn extract(dom: &Dom, an: &Analysis, title: Option<&str>) -> Extraction {
    let n = dom.nodes.len();
    let mut score = vec![0f32; n];
    for b in &an.blocks {
        let s = block_score(b);
        let mut cur = b.elem;
        while let Some(x) = score.get_mut(cur as usize) {
            *x += s;
            cur = dom.node(cur).map_or(NONE, |n| n.parent);
        }
    }
    let mut best = 0usize;
    let mut best_score = f32::MIN;
    for (i, s) in score.iter().enumerate() {
        if *s > best_score
            && dom.element(i as NodeId).is_some()
            && !an.dropped.get(i).copied().unwrap_or(true)
        {
            best = i;
            best_score = *s;
        }
    }
    // Grow the container while a parent adds prose without adding much chrome: articles split
    // into sibling boxes (lead, body, inline tables) stay together.
    let mut good = vec![0usize; n];
    for b in an
        .blocks
        .iter()
        .filter(|b| b.class == Class::Good && !b.boiler)
    {
        let mut cur = b.elem;
        while let Some(g) = good.get_mut(cur as usize) {
            *g += b.chars - b.link_chars;
            cur = dom.node(cur).map_or(NONE, |n| n.parent);
        }
    }
    loop {
        let parent = dom.node(best as NodeId).map_or(NONE, |n| n.parent);
        let (Some(&ps), Some(&pg), Some(&bg)) = (
            score.get(parent as usize),
            good.get(parent as usize),
            good.get(best),
        ) else {
            break;
        };
        if parent == 0 || dom.element(parent).is_none() {
            break;
        }
        if pg > bg + bg / 10 && ps >= best_score * 0.8 {
            best = parent as usize;
            best_score = best_score.max(ps);
        } else if pg == bg && ps >= best_score - 10.0 && ps > 0.0 {
            // Same prose, slightly more chrome (headings, labels): keep climbing only through
            // thin wrappers.
            best = parent as usize;
        } else {
            break;
        }
    }
    let container = best as NodeId;
    let end = dom.subtree_end(container);
    let range = |b: &Block| (b.elem as usize) >= best && (b.elem as usize) < end;
    let title_key = title.map(key);
    let mut candidates: Vec<usize> = Vec::new();
    for (i, b) in an.blocks.iter().enumerate() {
        // Listicles link their item headings and list entries ("3. Acme Corp"): inside the article
        // they are content; other link-dense blocks are chrome.
        let in_list_item = b.kind == BlockKind::ListItem || parent_is(dom, b.elem, "li");
        let linked_item = (in_list_item || matches!(b.kind, BlockKind::Heading(2..=6)))
            && b.words <= 20
            && !boilerplate::is_chrome_phrase(&b.text);
        if !range(b) || b.boiler || (b.class == Class::Bad && !linked_item) {
            continue;
        }
        if b.kind == BlockKind::Heading(1)
            || title_key.as_deref().is_some_and(|t| key(&b.text) == t)
        {
            continue;
        }
        candidates.push(i);
    }
    rejoin_inline_boxes(dom, an, &range, &mut candidates);
    let mut kept = smooth(&an.blocks, &candidates);
    let words: usize = kept
        .iter()
        .filter_map(|&i| an.blocks.get(i))
        .map(|b| b.words)
        .sum();
    let total_good: usize = an
        .blocks
        .iter()
        .filter(|b| b.class == Class::Good && !b.boiler)
        .map(|b| b.words)
        .sum();
    if words < 30 && total_good > words * 2 {
        // The container is too thin: fall back to all prose on the page.
        let all: Vec<usize> = an
            .blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| !b.boiler && b.class != Class::Bad && b.kind != BlockKind::Heading(1))
            .map(|(i, _)| i)
            .collect();
        kept = smooth(&an.blocks, &all);
    }
    if kept.is_empty() {
        // No prose anywhere: keep the container's short texts so the page is still emitted
        // (it will be flagged as not an article).
        kept = candidates
            .iter()
            .copied()
            .filter(|&i| {
                an.blocks
                    .get(i)
                    .is_some_and(|b| !boilerplate::is_chrome_phrase(&b.text))
            })
            .take(50)
            .collect();
    }
    // Image captions are credits and alt-text far more often than article text.
    kept.retain(|&i| {
        an.blocks
            .get(i)
            .is_some_and(|b| b.kind != BlockKind::Caption)
    });
    cut_tail(&an.blocks, &mut kept);
    join_same_style_prose(dom, &an.blocks, &mut kept);
    cut_after_last_body_paragraph(dom, &an.blocks, &mut kept);
    // A long paragraph repeated verbatim is a layout copy (responsive duplicates, sticky
    // summaries), not content written twice.
    let mut seen = std::collections::HashSet::new();
    kept.retain(|&i| {
        an.blocks
            .get(i)
            .is_some_and(|b| b.words < 8 || seen.insert(b.text.as_str()))
    });
    let paragraphs = kept
        .iter()
        .filter_map(|&i| an.blocks.get(i))
        .map(|b| b.text.clone())
        .collect();
    Extraction {
        container,
        paragraphs,
        kept,
    }
}

/// Whether the element's parent is a `name` element.
fn parent_is(dom: &Dom, elem: NodeId, name: &str) -> bool {
    let parent = dom.node(elem).map_or(NONE, |n| n.parent);
    dom.element(parent).is_some_and(|e| &*e.name == name)
}

/// The outermost chrome-marked ancestor of a chrome block: the box its class/id judged.
fn chrome_box(dom: &Dom, an: &Analysis, elem: NodeId) -> NodeId {
    let mut cur = elem;
    loop {
        let parent = dom.node(cur).map_or(NONE, |n| n.parent);
        if parent != NONE && an.boiler.get(parent as usize).copied().unwrap_or(false) {
            cur = parent;
        } else {
            return cur;
        }
    }
}

/// Boxes whose class or id reads like chrome ("related", "widget", "jump-link", …) but that sit
/// inside the article with its prose going on after them and hold prose of their own (two or
/// more good paragraphs, 300+ characters) are article sections under an unlucky name: put their
/// blocks back among the candidates. Asides and forms stay out; trailing boxes (comments,
/// related teasers, author bios) have no article prose after them.
fn rejoin_inline_boxes(
    dom: &Dom,
    an: &Analysis,
    range: &dyn Fn(&Block) -> bool,
    candidates: &mut Vec<usize>,
) {
    let good_candidate = |i: usize| an.blocks.get(i).is_some_and(|b| b.class == Class::Good);
    let (Some(first), Some(last)) = (
        candidates.iter().copied().find(|&i| good_candidate(i)),
        candidates.iter().copied().rfind(|&i| good_candidate(i)),
    ) else {
        return;
    };
    let mut added = Vec::new();
    let mut i = first + 1;
    while i < last {
        let Some(b) = an.blocks.get(i) else { break };
        if !b.boiler || !range(b) {
            i += 1;
            continue;
        }
        // The run of blocks inside the same chrome box.
        let boxed = chrome_box(dom, an, b.elem);
        let end = dom.subtree_end(boxed);
        let mut j = i;
        while j < last && an.blocks.get(j).is_some_and(|x| (x.elem as usize) < end) {
            j += 1;
        }
        let run = an.blocks.get(i..j).unwrap_or_default();
        let good: Vec<&Block> = run.iter().filter(|x| x.class == Class::Good).collect();
        let prose: usize = good.iter().map(|x| x.chars - x.link_chars).sum();
        let fenced = dom
            .element(boxed)
            .is_some_and(|e| matches!(&*e.name, "aside" | "form"));
        if !fenced && good.len() >= 2 && prose >= 300 {
            added.extend((i..j).filter(|&k| {
                an.blocks
                    .get(k)
                    .is_some_and(|x| x.class != Class::Bad && x.kind != BlockKind::Caption)
            }));
        }
        i = j.max(i + 1);
    }
    if !added.is_empty() {
        candidates.extend(added);
        candidates.sort_unstable();
        candidates.dedup();
    }
}

/// Headings that open the page's trailer (related links, author boxes, comment sections): the
/// article is over when one of them follows enough text.
const TAIL_MARKERS: &[&str] = &[
    "about the author",
    "about the authors",
    "about the reviewer",
    "about the writer",
    "meet the author",
    "related content",
    "related topics",
    "related posts",
    "related articles",
    "related stories",
    "related reading",
    "related resources",
    "recent posts",
    "recent articles",
    "recent stories",
    "latest posts",
    "latest articles",
    "latest stories",
    "more articles",
    "more stories",
    "more videos",
    "more posts",
    "more from",
    "read this next",
    "read next",
    "what to read next",
    "you may also like",
    "you might also like",
    "you may also be interested",
    "you might also be interested",
    "you might be interested",
    "you may be interested",
    "we think you ll like",
    "recommended for you",
    "recommended articles",
    "recommended reading",
    "popular posts",
    "most popular",
    "keep reading",
    "explore more",
    "other posts",
    "all reads on this topic",
    "leave a reply",
    "leave a comment",
    "post a comment",
    "join the conversation",
    "share this article",
    "share this post",
    "share this story",
    "subscribe to our newsletter",
    "sign up for our newsletter",
    "join our newsletter",
    "sources",
    "article sources",
    "citations",
    "bibliography",
    "works cited",
    "footnotes",
    "recommended posts",
    "similar posts",
    "related guides",
    "you may also enjoy",
    "more to explore",
    "comments",
    "responses",
    "related products",
    "similar products",
    "customers also viewed",
    "customers also bought",
    "frequently bought together",
    "keep exploring",
];

fn is_tail_marker(b: &Block) -> bool {
    let k = key(&b.text);
    let heading = matches!(b.kind, BlockKind::Heading(_));
    TAIL_MARKERS.iter().any(|m| {
        k.strip_prefix(m).is_some_and(|rest| {
            rest.is_empty()
                || (heading && rest.starts_with(' ') && rest.split_whitespace().count() <= 3)
        })
    })
}

/// Drop everything from the first trailer heading on, once the article has had its say: at
/// least 60 words before it, and no more than twice as much after it.
fn cut_tail(blocks: &[Block], kept: &mut Vec<usize>) {
    let total: usize = kept
        .iter()
        .filter_map(|&i| blocks.get(i))
        .map(|b| b.words)
        .sum();
    let mut words = 0usize;
    for (pos, &i) in kept.iter().enumerate() {
        let Some(b) = blocks.get(i) else { continue };
        if words >= 60 && b.words <= 8 && total - words <= words * 2 + b.words && is_tail_marker(b)
        {
            kept.truncate(pos);
            return;
        }
        words += b.words;
    }
}

/// Style signature of an element: tag, class tokens and id, lowercased, with numbers (and the
/// `-`/`_` before them) removed, so `p.para-12` and `p.para-7` share one style.
fn style_sig(dom: &Dom, elem: NodeId, out: &mut String) {
    let Some(e) = dom.element(elem) else {
        return;
    };
    let mut raw = String::with_capacity(32);
    raw.push_str(&e.name);
    for (attr, mark) in [("class", '.'), ("id", '#')] {
        if let Some(v) = e.attr(attr) {
            for tok in v.split_ascii_whitespace().take(8) {
                raw.push(mark);
                raw.extend(tok.chars().flat_map(char::to_lowercase));
            }
        }
    }
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        let digit_follows = chars.peek().is_some_and(char::is_ascii_digit);
        if c.is_ascii_digit() || ((c == '-' || c == '_') && digit_follows) {
            continue;
        }
        out.push(c);
    }
}

/// Style signature of an element and its `depth - 1` nearest ancestors, plus whether any of
/// those ancestors carries a class or id (a bare `div > div` chain says nothing about a page).
fn style_path(dom: &Dom, elem: NodeId, depth: usize) -> (String, bool) {
    let mut out = String::new();
    let mut named = false;
    let mut cur = elem;
    for level in 0..depth {
        let Some(e) = dom.element(cur) else { break };
        if level > 0 {
            out.push('<');
            named |= e.attr("class").is_some_and(|c| !c.trim().is_empty())
                || e.attr("id").is_some_and(|c| !c.trim().is_empty());
        }
        style_sig(dom, cur, &mut out);
        cur = dom.node(cur).map_or(NONE, |n| n.parent);
    }
    (out, named)
}

/// The style shared by at least `share` of the kept prose blocks, if any.
fn dominant_style(
    dom: &Dom,
    blocks: &[Block],
    kept: &[usize],
    depth: usize,
    share: f32,
) -> Option<(String, bool)> {
    let mut counts: std::collections::HashMap<(String, bool), usize> =
        std::collections::HashMap::new();
    let mut total = 0usize;
    for b in kept
        .iter()
        .filter_map(|&i| blocks.get(i))
        .filter(|b| b.class == Class::Good)
    {
        *counts.entry(style_path(dom, b.elem, depth)).or_insert(0) += 1;
        total += 1;
    }
    let (style, n) = counts.into_iter().max_by_key(|(_, n)| *n)?;
    (total > 0 && n as f32 >= share * total as f32).then_some(style)
}

/// Articles split over sibling boxes (a lead box and a body box, paginated sections, a
/// layout column per part) leave prose outside the chosen container. When the kept prose
/// shares one markup style (the paragraph, its box and the box around it: tag, class and id
/// with numbers dropped) and that style names its boxes, prose blocks elsewhere on the page
/// in exactly that style are the same article: add them. Chrome boxes stay out.
fn join_same_style_prose(dom: &Dom, blocks: &[Block], kept: &mut Vec<usize>) {
    let Some((style, named)) = dominant_style(dom, blocks, kept, 3, 0.8) else {
        return;
    };
    if !named {
        return;
    }
    let mut added = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        if b.class != Class::Good || b.boiler || b.kind == BlockKind::Caption {
            continue;
        }
        if kept.binary_search(&i).is_ok() {
            continue;
        }
        if style_path(dom, b.elem, 3).0 == style {
            added.push(i);
        }
    }
    if !added.is_empty() {
        kept.extend(added);
        kept.sort_unstable();
        kept.dedup();
    }
}

/// The article body is written in one paragraph style; what follows its last paragraph in a
/// different markup (an author box, a sign-up pitch, a disclaimer in small print, a teaser)
/// is the page's trailer. When nine in ten kept prose blocks share one paragraph style
/// (tag, class, id), drop the kept blocks after the last of them if they hold prose of their
/// own (trailing list items or a table of a different style alone are left alone).
fn cut_after_last_body_paragraph(dom: &Dom, blocks: &[Block], kept: &mut Vec<usize>) {
    let good = kept
        .iter()
        .filter(|&&i| blocks.get(i).is_some_and(|b| b.class == Class::Good))
        .count();
    if good < 3 {
        return;
    }
    let Some((style, _)) = dominant_style(dom, blocks, kept, 1, 0.9) else {
        return;
    };
    let Some(last) = kept.iter().rposition(|&i| {
        blocks
            .get(i)
            .is_some_and(|b| b.class == Class::Good && style_path(dom, b.elem, 1).0 == style)
    }) else {
        return;
    };
    let prose_after = kept
        .get(last + 1..)
        .unwrap_or_default()
        .iter()
        .any(|&i| blocks.get(i).is_some_and(|b| b.class == Class::Good));
    if prose_after {
        kept.truncate(last + 1);
    }
}

/// Keep good blocks and the short ones that sit between good blocks; drop leading short
/// non-heading blocks (bylines, dates) and everything short after the last good block.
fn smooth(blocks: &[Block], candidates: &[usize]) -> Vec<usize> {
    let is_good = |i: usize| blocks.get(i).is_some_and(|b| b.class == Class::Good);
    let Some(first_good) = candidates.iter().position(|&i| is_good(i)) else {
        return Vec::new();
    };
    let last_good = candidates
        .iter()
        .rposition(|&i| is_good(i))
        .unwrap_or(first_good);
    // A list or table that closes the article (checklists, price tables) runs on past the
    // last prose block: keep its unlinked items.
    let mut last = last_good;
    for &i in candidates.iter().skip(last_good + 1) {
        match blocks.get(i) {
            Some(b)
                if matches!(b.kind, BlockKind::ListItem | BlockKind::Cell)
                    && b.class == Class::Short
                    && b.link_chars == 0
                    && !boilerplate::is_chrome_phrase(&b.text) =>
            {
                last += 1;
            }
            _ => break,
        }
    }
    let mut out = Vec::new();
    for (pos, &i) in candidates.iter().enumerate() {
        let Some(b) = blocks.get(i) else { continue };
        if pos > last {
            break;
        }
        if pos < first_good {
            // Before the first prose: only subheadings survive.
            if matches!(b.kind, BlockKind::Heading(_)) && pos + 3 >= first_good {
                out.push(i);
            }
            continue;
        }
        if b.class == Class::Good {
            out.push(i);
            continue;
        }
        if boilerplate::is_chrome_phrase(&b.text) || b.kind == BlockKind::Caption {
            continue;
        }
        out.push(i);
    }
    out
}

/// Comparison key: lowercase word characters only.
pub fn key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROSE: &str = "The secretary of state arrived in Moscow on Tuesday for talks with the \
        Russian foreign minister about the war in Syria and the planned ceasefire.";

    fn run(html: &str) -> Vec<String> {
        let dom = Dom::parse(html);
        let an = analyze(&dom);
        extract(&dom, &an, Some("Kerry meets Putin")).paragraphs
    }

    #[test]
    fn picks_the_article_and_drops_chrome() {
        let html = format!(
            r#"<html><body><div class="header"><a href=/>Home</a> <a href=/w>World</a></div>
            <nav><ul><li><a href=/a>News</a></li><li><a href=/b>Sports</a></li></ul></nav>
            <div class="main"><article><h1>Kerry meets Putin</h1><div class="byline">By Jane Doe</div>
            <p>{PROSE}</p><h2>Ceasefire</h2><p>{PROSE} Second.</p>
            <div class="share-tools">Share on Facebook</div><p>{PROSE} Third.</p></article>
            <div class="related"><h3>Related</h3><ul><li><a href=/x>Another story about something else entirely here</a></li></ul></div>
            <div id="comments"><p>{PROSE} Comment.</p></div></div>
            <footer>Copyright 2015 Example</footer></body></html>"#
        );
        let p = run(&html);
        assert_eq!(p.len(), 4, "{p:#?}");
        assert!(p[0].starts_with("The secretary"));
        assert_eq!(p[1], "Ceasefire");
        assert!(p[3].ends_with("Third."));
    }

    #[test]
    fn pages_without_containers_fall_back_to_prose() {
        let html = format!("<body>{PROSE}<br><br>{PROSE} Again.</body>");
        let p = run(&html);
        assert_eq!(p.len(), 2, "{p:#?}");
    }

    #[test]
    fn trailer_headings_end_the_article_and_captions_go() {
        let html = format!(
            r#"<body><article><h1>Kerry meets Putin</h1><p>{PROSE}</p>
            <figure><img src=a.jpg><figcaption>Kerry and Putin shake hands in the Kremlin on Tuesday, as aides look on.</figcaption></figure>
            <p>{PROSE} Second.</p><p>{PROSE} Third.</p>
            <h2>About the Author</h2><p>Jane Doe has covered Russian politics and diplomacy for the paper since the early years of the last decade.</p>
            </article></body>"#
        );
        let p = run(&html);
        assert_eq!(p.len(), 3, "{p:#?}");
        assert!(p.iter().all(|x| !x.contains("shake hands")), "{p:#?}");
        assert!(p[2].ends_with("Third."));
    }

    #[test]
    fn linked_list_items_between_prose_are_kept() {
        let html = format!(
            r#"<body><article><p>{PROSE}</p><h3><a href=/acme>1. Acme Corporation</a></h3>
            <ul><li><a href=/x>Home Depot</a></li><li><a href=/y>Hardware Store</a></li></ul>
            <p>{PROSE} Second.</p></article></body>"#
        );
        let p = run(&html);
        assert!(p.contains(&"1. Acme Corporation".to_string()), "{p:#?}");
        assert!(p.contains(&"Home Depot".to_string()), "{p:#?}");
    }

    #[test]
    fn streamed_segments_and_bodies_in_open_heads_are_read() {
        // React streaming parks the rendered article in a hidden segment.
        let html = format!(
            r#"<body><template id="B:0"></template><div hidden id="S:0"><article><p>{PROSE}</p></article></div><div hidden><p>{PROSE} Hidden.</p></div></body>"#
        );
        let p = run(&html);
        assert_eq!(p.len(), 1, "{p:#?}");
        // A head that is never closed must not swallow the body.
        let html = format!(
            r#"<html><head><meta charset=utf-8></meta><title>x</title><body><p>{PROSE}</p></body></html>"#
        );
        assert_eq!(run(&html).len(), 1);
    }

    #[test]
    fn forms_and_bio_and_cta_boxes_are_chrome() {
        let html = format!(
            r#"<body><article><p>{PROSE}</p><p>{PROSE} Second.</p>
            <form id="signup"><p>Get the best of our reporting delivered to your inbox every single morning of the week, free.</p></form>
            <div class="inline-cta"><p>Our platform helps busy teams plan their week and ship their work faster than ever before, try it.</p></div>
            <p>{PROSE} Third.</p>
            <div class="hero-author--bio"><p>Jane Doe is a senior writer who has covered diplomacy and foreign affairs for the paper for a decade.</p></div>
            </article></body>"#
        );
        let p = run(&html);
        assert_eq!(p.len(), 3, "{p:#?}");
        assert!(p[2].ends_with("Third."), "{p:#?}");
    }

    fn card(i: usize) -> String {
        format!(
            r#"<div class="post-card"><h3><a href="/s{i}">Another story number {i} about the talks</a></h3>
            <p>The ministers met again this week to discuss the ceasefire plan and the aid route {i}.</p></div>"#
        )
    }

    #[test]
    fn teaser_cards_after_the_article_are_chrome() {
        let cards: String = (1..=3).map(card).collect();
        let html = format!(
            r#"<body><article><p>{PROSE}</p><p>{PROSE} Second.</p><p>{PROSE} Third.</p></article>
            <div class="grid">{cards}</div></body>"#
        );
        let p = run(&html);
        assert_eq!(p.len(), 3, "{p:#?}");
        // The same cards followed by the article's own prose are part of it (a roundup).
        let html = format!(
            r#"<body><article><p>{PROSE}</p>{cards}<p>{PROSE} Second.</p><p>{PROSE} Third.</p>
            <p>{PROSE} Fourth.</p><p>{PROSE} Fifth.</p></article></body>"#
        );
        let p = run(&html);
        assert!(p.iter().any(|x| x.contains("aid route 2")), "{p:#?}");
    }

    #[test]
    fn teaser_cards_with_a_byline_and_date_line_are_chrome() {
        // A listing under the article, in its box: each card has a linked title, an author and
        // a date line, then the excerpt.
        let cards: String = (1..=3)
            .map(|i| {
                format!(
                    r#"<div class="post-card"><h3><a href="/s{i}">Another story number {i} about the talks</a></h3>
                    <div class="author">Jo Smith</div><div class="date">May {i}, 2025</div>
                    <p>The ministers met again this week to discuss the ceasefire plan and the aid route {i}.</p></div>"#
                )
            })
            .collect();
        let html = format!(
            r#"<body><div><p>{PROSE}</p><p>{PROSE} Second.</p><p>{PROSE} Third.</p>{cards}</div></body>"#
        );
        let p = run(&html);
        assert!(p.iter().all(|x| !x.contains("aid route")), "{p:#?}");
        assert_eq!(p.len(), 3, "{p:#?}");
    }

    #[test]
    fn a_related_products_heading_ends_the_article() {
        let html = format!(
            r#"<body><article><p>{PROSE}</p><p>{PROSE} Second.</p><p>{PROSE} Third.</p>
            <h2>Related Products</h2>
            <p>A cordless drill with two batteries, a charger and a carrying case for the garage.</p>
            </article></body>"#
        );
        let p = run(&html);
        assert!(p.last().unwrap().ends_with("Third."), "{p:#?}");
    }

    #[test]
    fn a_short_page_in_a_widget_box_is_still_extracted() {
        // A CMS page whose only text sits in an "editor widget": the box holds the page's prose.
        let html = format!(
            r#"<body><h1>Building Department</h1><div class="widget editor"><p>{PROSE}</p>
            <ul><li>Permits for new buildings</li><li>Inspections of the work</li></ul></div>
            <div class="links"><a href="/a">Home</a> <a href="/b">Contact</a></div></body>"#
        );
        let p = run(&html);
        assert!(p.iter().any(|x| x.contains("secretary of state")), "{p:#?}");
    }

    #[test]
    fn an_accordion_wrapped_in_a_tablist_role_is_not_chrome() {
        // A transcript in a collapsed panel, its accordion wrapper (wrongly) given role=tablist.
        let html = format!(
            r##"<body><article><h1>Episode 12</h1><p>Short intro.</p></article>
            <div id="info" role="tablist"><div class="card"><div role="tab"><h5><a href="#t">Transcript</a></h5></div>
            <div id="t" class="collapse" role="tabpanel"><p>{PROSE}</p><p>{PROSE} Second.</p>
            <p>{PROSE} Third.</p></div></div></div></body>"##
        );
        let p = run(&html);
        assert!(p.iter().any(|x| x.ends_with("Third.")), "{p:#?}");
    }

    #[test]
    fn sign_up_sentences_and_footnotes_are_dropped() {
        let html = format!(
            r#"<body><article><p>{PROSE}</p><p>{PROSE} Second.</p>
            <p>By subscribing, you agree to receive marketing emails from us and accept our privacy policy and terms.</p>
            <p>{PROSE} Third.</p><h2>Footnotes</h2>
            <p>1. The ceasefire talks were first reported by the agency in a dispatch from Geneva last spring.</p></article></body>"#
        );
        let p = run(&html);
        assert_eq!(p.len(), 3, "{p:#?}");
        assert!(p[2].ends_with("Third."), "{p:#?}");
    }

    #[test]
    fn chrome_named_boxes_inside_the_article_rejoin_it() {
        // A section whose class reads like chrome, with the article going on after it.
        let html = format!(
            r#"<body><article><p>{PROSE}</p><p>{PROSE} Second.</p>
            <div class="related-widget"><h2>Costs</h2><p>{PROSE} {PROSE} Boxed one.</p><p>{PROSE} Boxed two.</p></div>
            <p>{PROSE} Third.</p><p>{PROSE} Fourth.</p>
            <div class="related-widget"><p>{PROSE} {PROSE} Trailing one.</p><p>{PROSE} Trailing two.</p></div>
            </article></body>"#
        );
        let p = run(&html);
        assert!(p.iter().any(|x| x.ends_with("Boxed two.")), "{p:#?}");
        assert!(p.contains(&"Costs".to_string()), "{p:#?}");
        // The same box after the article's last paragraph stays out.
        assert!(p.iter().all(|x| !x.contains("Trailing")), "{p:#?}");
        assert!(p.last().unwrap().ends_with("Fourth."), "{p:#?}");
    }

    #[test]
    fn linked_paragraphs_in_list_items_are_kept() {
        let html = format!(
            r#"<body><article><p>{PROSE}</p><ul><li><p><a href=/a>Fix the loader for packed structs</a></p></li>
            <li><p><a href=/b>Add support for the weak attribute</a></p></li></ul>
            <p>{PROSE} Second.</p></article></body>"#
        );
        let p = run(&html);
        assert!(
            p.contains(&"Fix the loader for packed structs".to_string()),
            "{p:#?}"
        );
    }

    #[test]
    fn data_tables_do_not_push_the_choice_off_the_article() {
        let rows: String = (1..=20)
            .map(|i| format!("<tr><td>{i}</td><td>School {i}</td><td>{i}0%</td></tr>"))
            .collect();
        let html = format!(
            r#"<body><div class="entry"><div class="intro"><p>{PROSE}</p><p>{PROSE} Second.</p></div>
            <p>{PROSE} Third.</p><table>{rows}</table></div></body>"#
        );
        let p = run(&html);
        assert!(p.iter().any(|x| x.ends_with("Third.")), "{p:#?}");
        assert!(p.contains(&"School 7".to_string()), "{p:#?}");
    }

    #[test]
    fn headings_are_not_judged_by_their_own_class() {
        let html = format!(
            r#"<body><article><p>{PROSE}</p><h2 class="header-anchor-post">The second round</h2>
            <p>{PROSE} Second.</p><h3 class="section-header">What comes next</h3><p>{PROSE} Third.</p></article></body>"#
        );
        let p = run(&html);
        assert!(p.contains(&"The second round".to_string()), "{p:#?}");
        assert!(p.contains(&"What comes next".to_string()), "{p:#?}");
    }

    #[test]
    fn prose_in_the_article_style_outside_the_container_joins_it() {
        // The article is split over two sibling boxes with a long link grid between them: the
        // container holds the first box only; the second box's paragraphs share its style.
        let links: String = (1..=60)
            .map(|i| format!("<li><a href=/t{i}>Topic number {i} of the week</a></li>"))
            .collect();
        let html = format!(
            r#"<body><div class="page"><div class="part-1"><div class="text"><p>{PROSE}</p>
            <p>{PROSE} Second.</p><p>{PROSE} Third.</p><p>{PROSE} Fourth.</p></div></div>
            <div class="grid"><ul>{links}</ul></div>
            <div class="part-2"><div class="text"><p>{PROSE} Continued.</p></div></div>
            <div class="other"><div class="text-box"><p>{PROSE} Elsewhere.</p></div></div>
            </div></body>"#
        );
        let p = run(&html);
        assert!(p.iter().any(|x| x.ends_with("Fourth.")), "{p:#?}");
        assert!(p.iter().any(|x| x.ends_with("Continued.")), "{p:#?}");
        // Prose in another style stays out.
        assert!(p.iter().all(|x| !x.ends_with("Elsewhere.")), "{p:#?}");
        assert!(p.iter().all(|x| !x.contains("Topic number")), "{p:#?}");
    }

    #[test]
    fn prose_after_the_last_body_paragraph_in_another_style_is_dropped() {
        let body: String = (1..=9)
            .map(|i| format!("<p>{PROSE} Part {i}.</p>"))
            .collect();
        let html = format!(
            r#"<body><article>{body}
            <div class="tx">Jane Doe is a senior writer who has covered diplomacy and foreign affairs for the paper for a decade.</div>
            </article></body>"#
        );
        let p = run(&html);
        assert_eq!(p.len(), 9, "{p:#?}");
        assert!(p[8].ends_with("Part 9."), "{p:#?}");
        // A closing list of short items is not prose: it stays.
        let html = format!(
            r#"<body><article>{body}<ul><li>Passport</li><li>Visa papers</li></ul></article></body>"#
        );
        let p = run(&html);
        assert!(p.contains(&"Visa papers".to_string()), "{p:#?}");
        // Without a dominant paragraph style nothing is cut.
        let html = format!(
            r#"<body><article><p>{PROSE}</p><div class="a">{PROSE} Two.</div><p>{PROSE} Three.</p>
            <div class="tx">{PROSE} Four.</div></article></body>"#
        );
        let p = run(&html);
        assert!(p.iter().any(|x| x.ends_with("Four.")), "{p:#?}");
    }

    #[test]
    fn style_signatures_ignore_numbers() {
        let dom = Dom::parse(
            r#"<body><p class="para-12 x_3" id="p7">a</p><p class="para-7 x_9" id="p1">b</p></body>"#,
        );
        let ps: Vec<NodeId> = (0..dom.nodes.len() as NodeId)
            .filter(|&i| dom.element(i).is_some_and(|e| &*e.name == "p"))
            .collect();
        assert_eq!(ps.len(), 2);
        let a = style_path(&dom, ps[0], 2);
        assert_eq!(a, style_path(&dom, ps[1], 2));
        assert_eq!(a.0, "p.para.x#p<body");
        assert!(!a.1);
    }

    #[test]
    fn key_keeps_word_chars() {
        assert_eq!(key("Kerry: US, Russia — talks!"), "kerry us russia talks");
    }
}
