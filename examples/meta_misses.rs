//! List the title, date and author misses of an extraction run, predicted vs gold, with where
//! the date came from: `meta_misses GOLD.jsonl.gz DUMP.jsonl [title|date|author]`.
//!
//! Make the dump with `SIFT_EVAL_DUMP=DUMP.jsonl sift eval extract --gold GOLD.jsonl.gz`.
use std::io::BufRead;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(gold_path), Some(dump_path)) = (args.get(1), args.get(2)) else {
        anyhow::bail!("usage: meta_misses GOLD.jsonl.gz DUMP.jsonl [title|date|author]");
    };
    let only = args.get(3).map(String::as_str);
    let mut gold = Vec::new();
    for line in sift::eval::extract::open_lines(std::path::Path::new(gold_path))?.lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        gold.push((v["page"]["url"].clone(), v["gold"].clone()));
    }
    let dump = std::io::BufReader::new(std::fs::File::open(dump_path)?);
    for line in dump.lines() {
        let o: serde_json::Value = serde_json::from_str(&line?)?;
        let Some((url, g)) = o["index"].as_u64().and_then(|i| gold.get(i as usize)) else {
            continue;
        };
        let show = |what: &str| only.is_none_or(|o| o == what);
        if show("title") && o["title_ok"] == false {
            println!(
                "title  {} {}\n  pred {}\n  gold {}",
                o["index"], url, o["title"], g["title"]
            );
        }
        if show("date") && o["date_ok"] == false {
            println!(
                "date   {} {}\n  pred {} ({})\n  gold {}",
                o["index"], url, o["date"], o["date_source"], g["published"]
            );
        }
        if show("author") && o["author_ok"] == false {
            println!(
                "author {} {}\n  pred {}\n  gold {}",
                o["index"], url, o["authors"], g["author"]
            );
        }
    }
    Ok(())
}
