//! An event's descriptors — some of its sources, its main entities and keywords — packed in one
//! heap block: a hundred thousand active events each holding a few dozen short strings as
//! separate `String`s took over 100 MiB, most of it allocator headers and rounding.
//!
//! Layout: three counts (`u8`: sources, entities, keywords), then the records in that order:
//! a source is `[len u16][bytes]`, an entity `[len u16][kind u8][weight f32][bytes]`, a keyword
//! `[len u16][weight f32][bytes]` (little-endian). Labels longer than `u16::MAX` bytes are cut at
//! a character boundary; lists longer than 255 are cut (the tracker keeps far fewer).

use super::gazetteer::EntityKind;

/// Sources, entities and keywords of one event, packed (see the module docs).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Descriptors(Box<[u8]>);

/// The unpacked descriptors, borrowing their labels.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DescriptorLists<'a> {
    /// Some of the event's sources, in order of arrival.
    pub sources: Vec<&'a str>,
    /// Entities: label, kind, summed weight.
    pub entities: Vec<(&'a str, EntityKind, f32)>,
    /// Keywords: stem, summed weight.
    pub keywords: Vec<(&'a str, f32)>,
}

fn kind_code(k: EntityKind) -> u8 {
    match k {
        EntityKind::Person => 0,
        EntityKind::Organization => 1,
        EntityKind::Place => 2,
        EntityKind::Other => 3,
    }
}

fn kind_of(c: u8) -> EntityKind {
    match c {
        0 => EntityKind::Person,
        1 => EntityKind::Organization,
        2 => EntityKind::Place,
        _ => EntityKind::Other,
    }
}

/// `s` cut to at most `u16::MAX` bytes at a character boundary.
fn clip(s: &str) -> &str {
    let mut end = s.len().min(u16::MAX as usize);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

fn put_label(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u16).to_le_bytes());
}

/// Reads the packed block; every read is checked (a short block reads as fewer records).
struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.b.get(..n)?, self.b.get(n..)?);
        self.b = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
    fn f32(&mut self) -> Option<f32> {
        Some(f32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn str(&mut self, len: u16) -> Option<&'a str> {
        std::str::from_utf8(self.take(len as usize)?).ok()
    }
}

impl Descriptors {
    /// Pack the lists (each cut to 255 entries).
    pub fn pack(
        sources: &[&str],
        entities: &[(&str, EntityKind, f32)],
        keywords: &[(&str, f32)],
    ) -> Self {
        let (sources, entities, keywords) = (
            sources.get(..sources.len().min(255)).unwrap_or(&[]),
            entities.get(..entities.len().min(255)).unwrap_or(&[]),
            keywords.get(..keywords.len().min(255)).unwrap_or(&[]),
        );
        if sources.is_empty() && entities.is_empty() && keywords.is_empty() {
            return Self::default();
        }
        let size = 3
            + sources.iter().map(|s| 2 + clip(s).len()).sum::<usize>()
            + entities.iter().map(|e| 7 + clip(e.0).len()).sum::<usize>()
            + keywords.iter().map(|k| 6 + clip(k.0).len()).sum::<usize>();
        let mut out = Vec::with_capacity(size);
        out.extend([
            sources.len() as u8,
            entities.len() as u8,
            keywords.len() as u8,
        ]);
        for s in sources {
            let s = clip(s);
            put_label(&mut out, s);
            out.extend_from_slice(s.as_bytes());
        }
        for (name, kind, w) in entities {
            let name = clip(name);
            put_label(&mut out, name);
            out.push(kind_code(*kind));
            out.extend_from_slice(&w.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
        }
        for (name, w) in keywords {
            let name = clip(name);
            put_label(&mut out, name);
            out.extend_from_slice(&w.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
        }
        Self(out.into_boxed_slice())
    }

    /// The lists, borrowing the labels from the block.
    pub fn unpack(&self) -> DescriptorLists<'_> {
        let mut lists = DescriptorLists::default();
        let mut r = Reader { b: &self.0 };
        let (Some(ns), Some(ne), Some(nk)) = (r.u8(), r.u8(), r.u8()) else {
            return lists;
        };
        lists.sources.reserve(ns as usize);
        lists.entities.reserve(ne as usize);
        lists.keywords.reserve(nk as usize);
        for _ in 0..ns {
            let Some(s) = r.u16().and_then(|n| r.str(n)) else {
                return lists;
            };
            lists.sources.push(s);
        }
        for _ in 0..ne {
            let (Some(n), Some(k), Some(w)) = (r.u16(), r.u8(), r.f32()) else {
                return lists;
            };
            let Some(s) = r.str(n) else { return lists };
            lists.entities.push((s, kind_of(k), w));
        }
        for _ in 0..nk {
            let (Some(n), Some(w)) = (r.u16(), r.f32()) else {
                return lists;
            };
            let Some(s) = r.str(n) else { return lists };
            lists.keywords.push((s, w));
        }
        lists
    }

    /// Heap bytes of the block.
    pub fn heap_len(&self) -> usize {
        self.0.len()
    }
}

impl DescriptorLists<'_> {
    /// Pack these lists.
    pub fn pack(&self) -> Descriptors {
        Descriptors::pack(&self.sources, &self.entities, &self.keywords)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_stays_small() {
        let d = Descriptors::pack(
            &["reuters", "bbc-news"],
            &[
                ("John Kerry", EntityKind::Person, 1.5),
                ("Moscow", EntityKind::Place, 0.25),
                ("ÖBB", EntityKind::Organization, 2.0),
                ("Thing", EntityKind::Other, 0.1),
            ],
            &[("talk", 0.75), ("minist", 0.5)],
        );
        let l = d.unpack();
        assert_eq!(l.sources, ["reuters", "bbc-news"]);
        assert_eq!(l.entities.len(), 4);
        assert_eq!(l.entities[2], ("ÖBB", EntityKind::Organization, 2.0));
        assert_eq!(l.entities[3].1, EntityKind::Other);
        assert_eq!(l.keywords, [("talk", 0.75), ("minist", 0.5)]);
        assert_eq!(l.pack(), d);
        // 3 counts + sources (2 + 7, 2 + 8) + entities + keywords (6 + 4, 6 + 6).
        assert_eq!(d.heap_len(), 3 + 19 + (7 + 10 + 7 + 6 + 7 + 4 + 7 + 5) + 22);
        assert_eq!(Descriptors::default().unpack(), DescriptorLists::default());
        assert_eq!(Descriptors::pack(&[], &[], &[]).heap_len(), 0);
    }

    #[test]
    fn long_labels_and_lists_are_cut_not_broken() {
        let long = "é".repeat(40_000);
        let many: Vec<&str> = (0..300).map(|_| "s").collect();
        let d = Descriptors::pack(&many, &[], &[(&long, 1.0)]);
        let l = d.unpack();
        assert_eq!(l.sources.len(), 255);
        let k = l.keywords[0].0;
        assert!(k.len() <= u16::MAX as usize && k.len() > 65_000);
        assert!(k.chars().all(|c| c == 'é'));
        // A truncated block reads as fewer records, never panics.
        let cut = Descriptors(d.0[..d.0.len() - 3].to_vec().into_boxed_slice());
        assert!(cut.unpack().keywords.is_empty());
        assert_eq!(cut.unpack().sources.len(), 255);
    }
}
