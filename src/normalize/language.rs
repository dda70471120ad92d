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
const SAMPLE: usize = 4000;

/// Detect the language of `text`. `hint` (e.g. `<html lang>`) is used only when the text is
/// too short or the detector is unsure.
pub fn detect(text: &str, hint: Option<&str>) -> Option<String> {
    let mut end = text.len().min(SAMPLE);
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = text.get(..end).unwrap_or_default();
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
        assert_eq!(detect("", None), None);
    }
}
