//! Language of the clean main text (never of the whole page), as ISO 639-1 where one exists.

/// ISO 639-3 (whatlang) → ISO 639-1.
fn iso639_1(code3: &str) -> Option<&'static str> {
    Some(match code3 {
        "eng" => "en",
        "rus" => "ru",
        "cmn" => "zh",
        "spa" => "es",
        "por" => "pt",
        "ita" => "it",
        "ben" => "bn",
        "fra" => "fr",
        "deu" => "de",
        "ukr" => "uk",
        "kat" => "ka",
        "ara" => "ar",
        "hin" => "hi",
        "jpn" => "ja",
        "heb" => "he",
        "yid" => "yi",
        "pol" => "pl",
        "amh" => "am",
        "jav" => "jv",
        "kor" => "ko",
        "nob" => "nb",
        "dan" => "da",
        "swe" => "sv",
        "fin" => "fi",
        "tur" => "tr",
        "nld" => "nl",
        "hun" => "hu",
        "ces" => "cs",
        "ell" => "el",
        "bul" => "bg",
        "bel" => "be",
        "mar" => "mr",
        "kan" => "kn",
        "ron" => "ro",
        "slv" => "sl",
        "hrv" => "hr",
        "srp" => "sr",
        "mkd" => "mk",
        "lit" => "lt",
        "lav" => "lv",
        "est" => "et",
        "tam" => "ta",
        "vie" => "vi",
        "urd" => "ur",
        "tha" => "th",
        "guj" => "gu",
        "uzb" => "uz",
        "pan" => "pa",
        "aze" => "az",
        "ind" => "id",
        "tel" => "te",
        "pes" => "fa",
        "mal" => "ml",
        "ori" => "or",
        "mya" => "my",
        "nep" => "ne",
        "sin" => "si",
        "khm" => "km",
        "tuk" => "tk",
        "aka" => "ak",
        "zul" => "zu",
        "sna" => "sn",
        "afr" => "af",
        "lat" => "la",
        "slk" => "sk",
        "cat" => "ca",
        "tgl" => "tl",
        "hye" => "hy",
        "cym" => "cy",
        "epo" => "eo",
        _ => return None,
    })
}

/// Longest prefix of the text given to the detector (bytes); enough for a stable answer.
const SAMPLE: usize = 1200;

/// Function words that are frequent in one language and rare in the others we check; a text
/// where one list clearly dominates is decided without the trigram model.
const FUNCTION_WORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "and", "of", "to", "is", "that", "with", "was", "for", "are", "this", "have",
            "from", "by", "which", "would", "has", "were", "their", "it",
        ],
    ),
    (
        "fr",
        &[
            "le", "les", "des", "est", "et", "une", "dans", "pour", "qui", "que", "sur", "pas",
            "du", "au", "avec", "sont", "ont", "cette", "aux", "il",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "und", "das", "ist", "nicht", "mit", "sich", "des", "ein", "eine", "auf",
            "für", "dem", "auch", "wird", "von", "zu", "den", "im",
        ],
    ),
    (
        "es",
        &[
            "el", "los", "las", "del", "y", "que", "por", "con", "para", "una", "es", "se", "su",
            "como", "más", "pero", "fue", "sus", "al", "lo",
        ],
    ),
    (
        "it",
        &[
            "il", "che", "di", "della", "per", "non", "sono", "una", "nel", "gli", "con", "anche",
            "del", "alla", "come", "più", "dei", "delle", "è", "ha",
        ],
    ),
    (
        "pt",
        &[
            "os", "que", "não", "uma", "para", "com", "dos", "das", "foi", "ao", "mais", "pelo",
            "pela", "como", "seu", "sua", "são", "também", "em", "é",
        ],
    ),
    (
        "nl",
        &[
            "het", "een", "van", "en", "niet", "zijn", "voor", "met", "ook", "naar", "wordt",
            "dat", "maar", "bij", "door", "worden", "werd", "deze", "op", "dit",
        ],
    ),
];

/// Index of English in [`FUNCTION_WORDS`].
const ENGLISH: usize = 0;

/// Function word → bit set of the [`FUNCTION_WORDS`] lists that hold it.
static FUNCTION_WORD_LISTS: std::sync::LazyLock<rustc_hash::FxHashMap<&'static str, u8>> =
    std::sync::LazyLock::new(|| {
        let mut map = rustc_hash::FxHashMap::default();
        for (i, (_, words)) in FUNCTION_WORDS.iter().enumerate() {
            for w in *words {
                *map.entry(*w).or_insert(0u8) |= 1 << i;
            }
        }
        map
    });

/// Bit set of the function-word lists holding this lowercase word.
fn function_word_lists(lower: &str) -> u8 {
    FUNCTION_WORD_LISTS.get(lower).copied().unwrap_or(0)
}

/// ASCII function word (lowercase, at most 8 bytes, packed little-endian into a `u64`) → bit
/// set of the [`FUNCTION_WORDS`] lists that hold it.
static ASCII_FUNCTION_WORDS: std::sync::LazyLock<rustc_hash::FxHashMap<u64, u8>> =
    std::sync::LazyLock::new(|| {
        let mut map = rustc_hash::FxHashMap::default();
        for (i, (_, words)) in FUNCTION_WORDS.iter().enumerate() {
            for w in *words {
                if let Some(code) = w.is_ascii().then(|| pack_ascii(w.as_bytes())).flatten() {
                    *map.entry(code).or_insert(0u8) |= 1 << i;
                }
            }
        }
        map
    });

/// Lowercase ASCII bytes of a word of at most 8 bytes, packed into a `u64` (no word holds a
/// NUL, so the zero padding is unambiguous).
fn pack_ascii(word: &[u8]) -> Option<u64> {
    let mut buf = [0u8; 8];
    buf.get_mut(..word.len())?.copy_from_slice(word);
    buf.make_ascii_lowercase();
    Some(u64::from_le_bytes(buf))
}

/// Bit set of the function-word lists holding this token (any case).
fn token_lists(tok: &str, ascii: bool) -> u8 {
    if tok.len() > 8 {
        return 0;
    }
    if ascii {
        pack_ascii(tok.as_bytes())
            .and_then(|code| ASCII_FUNCTION_WORDS.get(&code).copied())
            .unwrap_or(0)
    } else if tok.chars().count() > 6 {
        0
    } else {
        function_word_lists(&tok.to_lowercase())
    }
}

/// Packed ASCII function words ([`pack_ascii`]) → list bit sets, in an open-addressing table
/// of [`ASCII_SLOTS`] slots (key 0 = empty; no packed word is 0).
static ASCII_TABLE: std::sync::LazyLock<Box<[(u64, u8)]>> = std::sync::LazyLock::new(|| {
    let mut table = vec![(0u64, 0u8); ASCII_SLOTS].into_boxed_slice();
    for (&code, &lists) in ASCII_FUNCTION_WORDS.iter() {
        let mut slot = ascii_slot(code);
        while let Some(entry) = table.get_mut(slot) {
            if entry.0 == 0 || entry.0 == code {
                *entry = (code, entry.1 | lists);
                break;
            }
            slot = (slot + 1) % ASCII_SLOTS;
        }
    }
    table
});

/// Slots of [`ASCII_TABLE`]: a power of two, over three times the number of ASCII words.
const ASCII_SLOTS: usize = 512;

fn ascii_slot(code: u64) -> usize {
    (code.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 55) as usize % ASCII_SLOTS
}

/// [`token_lists`] of an ASCII token of at most 8 bytes, packed lowercase.
fn ascii_lists(code: u64) -> u8 {
    let mut slot = ascii_slot(code);
    while let Some(&(key, lists)) = ASCII_TABLE.get(slot) {
        if key == code {
            return lists;
        }
        if key == 0 {
            return 0;
        }
        slot = (slot + 1) % ASCII_SLOTS;
    }
    0
}

/// Token counter of [`function_word_counts`]: the token being scanned and the counts so far.
struct Counter<'a> {
    sample: &'a str,
    counts: [usize; 7],
    total: usize,
    /// Tokens that ended before the sample did.
    seen: usize,
    /// Inside a token.
    in_token: bool,
    /// Start and length (bytes) of the token being scanned, whether it is all ASCII, and its
    /// first 8 bytes lowercased and packed like [`pack_ascii`].
    start: usize,
    len: usize,
    ascii: bool,
    code: u64,
}

impl Counter<'_> {
    fn begin(&mut self, at: usize) {
        (self.in_token, self.start, self.len, self.ascii, self.code) = (true, at, 0, true, 0);
    }

    /// Append `run` ASCII bytes to the token; `lower` holds them lowercased from its low
    /// byte up.
    fn extend_ascii(&mut self, lower: u64, run: usize) {
        if self.len < 8 {
            let take = run.min(8 - self.len);
            let mask = if take >= 8 {
                u64::MAX
            } else {
                (1u64 << (8 * take)) - 1
            };
            self.code |= (lower & mask) << (8 * self.len);
        }
        self.len += run;
    }

    /// Count the token; true once 300 tokens have ended (`ended`: before the sample's end).
    fn finish(&mut self, ended: bool) -> bool {
        self.in_token = false;
        let mut lists = if self.len > 8 {
            0
        } else if self.ascii {
            ascii_lists(self.code)
        } else {
            token_lists(
                self.sample
                    .get(self.start..self.start + self.len)
                    .unwrap_or_default(),
                false,
            )
        };
        self.total += 1;
        while lists != 0 {
            if let Some(c) = self.counts.get_mut(lists.trailing_zeros() as usize) {
                *c += 1;
            }
            lists &= lists - 1;
        }
        if ended {
            self.seen += 1;
        }
        self.seen == 300
    }
}

/// `0x01` / `0x80` in every byte of a `u64`.
const LOW: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// `0x80` in each byte of `x` (all bytes ASCII) in `lo..=hi` (no sum carries across bytes).
const fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    (x + (0x80 - lo as u64) * LOW) & !(x + (0x7f - hi as u64) * LOW) & HIGH
}

/// Per-list counts of function words ([`FUNCTION_WORDS`] order) and the number of tokens.
/// Tokens are the runs of alphanumeric chars: the first 300 that end before the sample does,
/// and one that runs to its end. Eight ASCII bytes are classified at once (SWAR), and the
/// lowercase packed form of an ASCII token is built while scanning it; other chars are
/// decoded one by one.
fn function_word_counts(sample: &str) -> ([usize; 7], usize) {
    let mut t = Counter {
        sample,
        counts: [0; 7],
        total: 0,
        seen: 0,
        in_token: false,
        start: 0,
        len: 0,
        ascii: true,
        code: 0,
    };
    let bytes = sample.as_bytes();
    let mut i = 0usize;
    while i < bytes.len() {
        if let Some(chunk) = bytes
            .get(i..i + 8)
            .and_then(|c| <[u8; 8]>::try_from(c).ok())
        {
            let x = u64::from_le_bytes(chunk);
            if x & HIGH == 0 {
                // ORing 0x20 lowercases ASCII letters and keeps digits.
                let lower = x | (0x20 * LOW);
                let alnum = in_range(lower, b'a', b'z') | in_range(x, b'0', b'9');
                // One bit per byte, byte k at bit k.
                let bits = ((alnum >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32;
                let mut pos = 0usize;
                while pos < 8 {
                    if t.in_token {
                        let run = ((!bits >> pos).trailing_zeros() as usize).min(8 - pos);
                        t.extend_ascii(lower >> (8 * pos), run);
                        pos += run;
                        if pos < 8 && t.finish(true) {
                            return (t.counts, t.total);
                        }
                    } else {
                        pos += ((bits >> pos).trailing_zeros() as usize).min(8 - pos);
                        if pos < 8 {
                            t.begin(i + pos);
                        }
                    }
                }
                i += 8;
                continue;
            }
        }
        // The next eight bytes one by one (a char may run past them).
        let stop = (i + 8).min(bytes.len());
        while i < stop {
            let Some(&b) = bytes.get(i) else { break };
            let (alnum, width) = if b < 0x80 {
                (b.is_ascii_alphanumeric(), 1)
            } else {
                let c = sample.get(i..).and_then(|r| r.chars().next());
                (
                    c.is_some_and(|c| {
                        !super::clean::is_general_punctuation(c) && c.is_alphanumeric()
                    }),
                    c.map_or(1, char::len_utf8),
                )
            };
            if alnum {
                if !t.in_token {
                    t.begin(i);
                }
                if b < 0x80 {
                    t.extend_ascii(u64::from(b | 0x20), 1);
                } else {
                    t.ascii = false;
                    t.len += width;
                }
            } else if t.in_token && t.finish(true) {
                return (t.counts, t.total);
            }
            i += width;
        }
    }
    if t.in_token {
        t.finish(false);
    }
    (t.counts, t.total)
}

/// Decide clear cases of the common Latin-script languages by function-word counts.
fn function_word_guess(sample: &str) -> Option<&'static str> {
    let (counts, total) = function_word_counts(sample);
    if total < 30 {
        return None;
    }
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(counts.get(i).copied().unwrap_or(0)));
    let best = order
        .first()
        .and_then(|&i| counts.get(i))
        .copied()
        .unwrap_or(0);
    let second = order
        .get(1)
        .and_then(|&i| counts.get(i))
        .copied()
        .unwrap_or(0);
    // English's list leaves out its most frequent words ("a", "in", "on", "he": they are
    // words of other listed languages too), so English news text scores 15–20 % on it where
    // the other languages score over 20 % on theirs: a lower share decides English, with a
    // wider margin over the runner-up. (This keeps the trigram model, ~1.5 M instructions a
    // call, off most English pages; on the seeds, ECB+ and WCXB dev texts it answered "en" for
    // every page this admits.)
    let english = order.first() == Some(&ENGLISH);
    let clear = best * 5 >= total && best >= second * 3;
    let clear_english = english && best * 8 >= total && best >= second * 4 && best >= 10;
    (clear || clear_english)
        .then(|| {
            order
                .first()
                .and_then(|&i| FUNCTION_WORDS.get(i))
                .map(|(l, _)| *l)
        })
        .flatten()
}

/// Detect the language of `text`. `hint` (e.g. `<html lang>`) is used only when the text is
/// too short or the detector is unsure.
pub fn detect(text: &str, hint: Option<&str>) -> Option<String> {
    let mut end = text.len().min(SAMPLE);
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = text.get(..end).unwrap_or_default();
    if let Some(lang) = function_word_guess(sample) {
        return Some(lang.to_string());
    }
    let letters = sample.chars().filter(|c| c.is_alphabetic()).count();
    let detected = (letters >= 20)
        .then(|| whatlang::detect(sample))
        .flatten()
        .filter(|info| info.is_reliable() || info.confidence() >= 0.5);
    match detected.and_then(|info| iso639_1(info.lang().code())) {
        Some(code) => Some(code.to_string()),
        None => hint
            .map(|h| h.to_ascii_lowercase())
            .filter(|h| (2..=3).contains(&h.len()) && h.chars().all(|c| c.is_ascii_lowercase())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The previous byte loop (one state machine step per char) [`function_word_counts`]
    /// must agree with.
    fn byte_loop_counts(sample: &str) -> ([usize; 7], usize) {
        let mut counts = [0usize; 7];
        let mut total = 0usize;
        let mut count = |lists: u8| {
            total += 1;
            for (i, c) in counts.iter_mut().enumerate() {
                if lists & (1 << i) != 0 {
                    *c += 1;
                }
            }
        };
        let bytes = sample.as_bytes();
        let (mut i, mut start, mut ascii, mut seen) = (0, None::<usize>, true, 0);
        while seen < 300 {
            let Some(&b) = bytes.get(i) else {
                if let Some(s) = start {
                    count(token_lists(sample.get(s..).unwrap_or_default(), ascii));
                }
                break;
            };
            let c = sample.get(i..).and_then(|r| r.chars().next());
            let (alnum, len) = (
                c.is_some_and(char::is_alphanumeric),
                c.map_or(1, char::len_utf8),
            );
            if alnum {
                if start.is_none() {
                    start = Some(i);
                    ascii = true;
                }
                ascii &= b < 0x80;
            } else if let Some(s) = start.take() {
                count(token_lists(sample.get(s..i).unwrap_or_default(), ascii));
                seen += 1;
            }
            i += len;
        }
        (counts, total)
    }

    #[test]
    fn tokenizer_matches_the_reference() {
        let long = "The minister said that it was for the best, and die Männer des Dorfes sind \
            für die Arbeit; le président est là. "
            .repeat(40);
        let samples = [
            "",
            " ",
            "the",
            "the ",
            " the and of",
            "l'été est là, et les élèves sont dans la cour",
            "über für Straße der die das",
            "深圳报业 the 和 and",
            "x\u{301}y the é\u{301}",
            "a1b2 3c ½ ² the",
            "THE AND Of tO",
            "mixedÉword café naïve the",
            "— “the” ‘and’ …of",
            long.as_str(),
        ];
        for s in samples {
            assert_eq!(function_word_counts(s), byte_loop_counts(s), "{s:?}");
            let cut: String = s.chars().take(37).collect();
            assert_eq!(
                function_word_counts(&cut),
                byte_loop_counts(&cut),
                "{cut:?}"
            );
        }
        // Exactly 300 tokens then more: the count stops at the same place.
        let many = "the ".repeat(305);
        assert_eq!(function_word_counts(&many), byte_loop_counts(&many));
        assert_eq!(function_word_counts(&many).1, 300);
        let exact = "the ".repeat(299) + "the";
        assert_eq!(function_word_counts(&exact), byte_loop_counts(&exact));
    }

    #[test]
    fn packed_tokenizer_matches_the_reference_on_random_text() {
        const PIECES: &[&str] = &[
            "the",
            "THE",
            "The",
            "and",
            " ",
            " ",
            ", ",
            ".",
            "-",
            "'",
            "_",
            "x",
            "7",
            "é",
            "É",
            "für",
            "più",
            "è",
            "não",
            "深",
            "’",
            "\u{a0}",
            "\u{301}",
            "½",
            "²",
            "which",
            "wouldn",
            "abcdefgh",
            "abcdefghi",
            "Der",
            "les",
            "\n",
        ];
        let mut state = 0x1234_5678_9abc_def1_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..5_000 {
            let len = (next() % if round % 10 == 0 { 900 } else { 60 }) as usize;
            let s: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            assert_eq!(function_word_counts(&s), byte_loop_counts(&s), "{s:?}");
        }
        // Every word of every list, in three cases, is found with its lists.
        for (i, (_, words)) in FUNCTION_WORDS.iter().enumerate() {
            for w in *words {
                let mut chars = w.chars();
                let title: String = chars
                    .next()
                    .into_iter()
                    .flat_map(char::to_uppercase)
                    .chain(chars)
                    .collect();
                for v in [w.to_string(), w.to_uppercase(), title] {
                    let (counts, total) = function_word_counts(&v);
                    assert_eq!(total, 1, "{v:?}");
                    assert!(counts[i] == 1, "{v:?}");
                }
            }
        }
    }

    #[test]
    fn detects_on_text() {
        assert_eq!(
            detect("The secretary of state arrived in Moscow on Tuesday for talks with the Russian foreign minister.", Some("fr")).as_deref(),
            Some("en")
        );
        assert_eq!(
            detect("Le ministre des Affaires étrangères est arrivé mardi à Moscou pour des entretiens avec son homologue.", None).as_deref(),
            Some("fr")
        );
        assert_eq!(detect("ok", Some("de")).as_deref(), Some("de"));
        let long_en = "The minister said that the talks with the delegation were useful and that \
            the two sides would meet again in the spring to discuss the details of the plan which \
            has been prepared by the experts of the ministry for the next round of the talks.";
        assert_eq!(function_word_guess(long_en), Some("en"));
        assert_eq!(
            detect(
                "Der Minister sagte, dass die Gespräche mit der Delegation nützlich waren und \
                dass sich die beiden Seiten im Frühjahr wieder treffen werden, um die Einzelheiten \
                des Plans zu besprechen, der von den Experten des Ministeriums für die nächste \
                Runde vorbereitet wurde und auch in der Presse diskutiert wird.",
                None
            )
            .as_deref(),
            Some("de")
        );
        assert_eq!(detect("", None), None);
    }

    /// The tokenizer and lookup of [`function_word_guess`] before the byte-level rewrite.
    fn reference_counts(sample: &str) -> (usize, [usize; 7]) {
        let mut counts = [0usize; 7];
        let mut total = 0usize;
        for tok in sample
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .take(300)
        {
            total += 1;
            if tok.len() > 8 || !tok.is_ascii() && tok.chars().count() > 6 {
                continue;
            }
            let lists = function_word_lists(&tok.to_lowercase());
            for (i, c) in counts.iter_mut().enumerate() {
                if lists & (1 << i) != 0 {
                    *c += 1;
                }
            }
        }
        (total, counts)
    }

    #[test]
    fn byte_tokenizer_counts_like_the_char_splitter() {
        let samples = [
            "",
            "THE and Of tO",
            "Die Gespräche für die Presse, più è ha, não são também; ÉTÉ l'été du café.",
            "x1 2x the3 4 5the, The-the the_the the\u{a0}the\tthe\u{2009}THE",
            "supercalifragilistic the ünïcödéwörd und die für FÜR Für",
            "深圳 the 東京 and Москва of Ωmega the",
            "trailing token the",
        ];
        let long: String = "the cat and the dog, le chat et le chien; ".repeat(60);
        let mut all: Vec<String> = samples.iter().map(|s| s.to_string()).collect();
        all.push(long.clone());
        all.push(format!("{long}und"));
        // Only the first 300 tokens count: 290 neutral words, then 100 "the".
        all.push(format!("{}{}", "word ".repeat(290), "the ".repeat(100)));
        all.push(format!("{}{}", "word ".repeat(250), "the ".repeat(100)));
        for s in &all {
            let (total, counts) = reference_counts(s);
            let expected = if total < 30 {
                None
            } else {
                // Recompute the decision from the reference counts.
                let mut order: Vec<usize> = (0..7).collect();
                order.sort_by_key(|&i| std::cmp::Reverse(counts[i]));
                let (best, second) = (counts[order[0]], counts[order[1]]);
                let clear = best * 5 >= total && best >= second * 3;
                let clear_en =
                    order[0] == ENGLISH && best * 8 >= total && best >= second * 4 && best >= 10;
                (clear || clear_en).then(|| FUNCTION_WORDS[order[0]].0)
            };
            assert_eq!(function_word_guess(s), expected, "{s:?}");
        }
        // The counts themselves, on samples long enough to be decided either way.
        for s in &all {
            let mut counts = [0usize; 7];
            let mut total = 0;
            for tok in s
                .split(|c: char| !c.is_alphanumeric())
                .filter(|t| !t.is_empty())
                .take(300)
            {
                total += 1;
                let lists = token_lists(tok, tok.is_ascii());
                for (i, c) in counts.iter_mut().enumerate() {
                    if lists & (1 << i) != 0 {
                        *c += 1;
                    }
                }
            }
            assert_eq!((total, counts), reference_counts(s), "{s:?}");
        }
    }

    /// English news prose with 12.5 % of its tokens on the English list: the lower English
    /// share decides it, and the trigram model agrees; a text below that share still goes to
    /// the model.
    #[test]
    fn english_news_prose_is_decided_by_function_words() {
        let prose = "Last night Mr Kerry flew to Moscow to try to narrow gaps with Russian \
            leaders over the political transition to end Syria's civil war and restore stability \
            in eastern Ukraine. Kerry and United Nations envoy Staffan de Mistura met in Geneva \
            on Friday before talks in New York next week, officials said. Russian Foreign \
            Minister Sergei Lavrov told reporters in Moscow he expected a difficult meeting on \
            Syria, Ukraine and Turkey, adding that both sides wanted a ceasefire soon.";
        assert_eq!(function_word_guess(prose), Some("en"));
        let model = whatlang::detect(prose).map(|i| i.lang().code());
        assert_eq!(model, Some("eng"));
        // One "the" fewer: 9 of 80, below both thresholds.
        let thinner = prose.replacen("over the political", "over a political", 1);
        assert_eq!(function_word_guess(&thinner), None);
        assert_eq!(detect(&thinner, None).as_deref(), Some("en"));
        // A French text is not pulled to English by the lower share.
        let fr = "Le ministre a dit que les discussions avec la délégation étaient utiles et \
            que les deux parties se retrouveront au printemps pour discuter des détails du plan \
            qui a été préparé par les experts du ministère pour la prochaine session.";
        assert_eq!(function_word_guess(fr), Some("fr"));
    }
}
