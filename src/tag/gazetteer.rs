//! The entity gazetteer (`data/gazetteer.toml`): known places, people and organizations, with
//! variants (demonyms, short names, other spellings) mapped to one canonical name.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const GAZETTEER: &str = include_str!("../../data/gazetteer.toml");

/// Longest variant, in words.
pub const MAX_PHRASE_WORDS: usize = 5;

/// Type of a named entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A person.
    Person,
    /// An organization.
    Organization,
    /// A place.
    Place,
    /// A capitalized phrase of unknown type.
    Other,
}

/// A canonical entity.
#[derive(Debug, Clone)]
pub struct Entity {
    /// Canonical display name.
    pub name: String,
    /// Lowercase key used in features.
    pub key: String,
    /// Its type.
    pub kind: EntityKind,
}

#[derive(Deserialize)]
struct File {
    places: Vec<String>,
    people: Vec<String>,
    organizations: Vec<String>,
}

/// Variant lookup: lowercased variant phrase (single spaces) → entity.
#[derive(Debug, Default)]
pub struct Gazetteer {
    entities: Vec<Entity>,
    variants: FxHashMap<String, usize>,
    /// First word of any variant → most words in a variant starting with it.
    first_words: FxHashMap<String, usize>,
}

impl Gazetteer {
    /// The compiled-in gazetteer (parsed once).
    pub fn get() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(|| Self::parse(GAZETTEER).unwrap_or_default())
    }

    fn parse(text: &str) -> Result<Self, toml::de::Error> {
        let f: File = toml::from_str(text)?;
        let mut g = Gazetteer::default();
        for (list, kind) in [
            (&f.places, EntityKind::Place),
            (&f.people, EntityKind::Person),
            (&f.organizations, EntityKind::Organization),
        ] {
            for line in list {
                let mut parts = line.split('|').map(str::trim).filter(|p| !p.is_empty());
                let Some(name) = parts.next() else { continue };
                let idx = g.entities.len();
                g.entities.push(Entity {
                    name: name.to_string(),
                    key: name.to_lowercase(),
                    kind,
                });
                for v in std::iter::once(name).chain(parts) {
                    // Variants are case-sensitive in text; the key keeps the case.
                    let key = variant_key(v);
                    let words = key.split(' ').count();
                    if let Some(first) = key.split(' ').next() {
                        let m = g.first_words.entry(first.to_string()).or_insert(0);
                        *m = (*m).max(words);
                    }
                    g.variants.entry(key).or_insert(idx);
                }
            }
        }
        Ok(g)
    }

    /// Most words of a variant starting with `word` (0 when none does).
    pub fn max_words_from(&self, word: &str) -> usize {
        self.first_words.get(word).copied().unwrap_or(0)
    }

    /// The entity a phrase (exact case, single spaces, no periods at word ends) names.
    pub fn lookup(&self, phrase: &str) -> Option<&Entity> {
        self.variants
            .get(phrase)
            .and_then(|&i| self.entities.get(i))
    }

    /// Number of entities.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entities.len()
    }
}

/// "U.S." → "U.S", "St. Louis" → "St Louis": how the tokenizer sees a variant.
fn variant_key(v: &str) -> String {
    v.split_whitespace()
        .map(|w| w.trim_end_matches('.'))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_map_to_canonical_entities() {
        let g = Gazetteer::get();
        assert!(g.len() > 500, "{}", g.len());
        let e = g.lookup("Russian").unwrap();
        assert_eq!((e.name.as_str(), e.kind), ("Russia", EntityKind::Place));
        assert_eq!(g.lookup("Sergey Lavrov").unwrap().name, "Sergei Lavrov");
        assert_eq!(g.lookup("Daesh").unwrap().kind, EntityKind::Organization);
        assert!(g.lookup("russian").is_none());
    }
}
