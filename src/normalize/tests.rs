//! Stage-level tests: the five seed pages, HTML end to end, and hostile input.

use super::*;
use crate::decode::{DecodeConfig, decode};
use crate::message::{InputCoords, InputMessage};

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds/pages.jsonl");

fn seed_articles() -> Vec<Article> {
    let text = std::fs::read_to_string(SEEDS).unwrap();
    let n = Normalizer::new(NormalizeConfig::default());
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            let msg = InputMessage::from_payload(
                l.as_bytes().to_vec(),
                InputCoords {
                    topic: "seeds".into(),
                    partition: 0,
                    offset: i as i64,
                },
            );
            n.normalize(&decode(&msg, &DecodeConfig::default()).unwrap())
        })
        .collect()
}

fn paragraphs(a: &Article) -> Vec<&str> {
    a.text.split("\n\n").collect()
}

/// Lines that must never survive: menus, tickers, share/ad labels, captions, credits, footers.
const CHROME: &[&str] = &[
    "Advertorial",
    "FOCUS",
    "Important news",
    "在线翻译",
    "szdaily ->",
    "Shenzhen Daily E-mail",
    "深圳报业集团版权所有",
    "Copyright 2010",
    "Off the wire",
    "Results of WCBA League",
    "You are here",
    "Adjust font size",
    "Advertisement",
    "Alexander Scherbak",
    "shake hands as they pose",
    "left speaks with",
    "(AFP photo)",
    "alternate addresses",
    "www.presstv.ir",
    "SHARE THIS ARTICLE",
    "Press TV News Roku",
];

#[test]
fn seeds_come_out_as_exactly_their_articles() {
    let seeds = seed_articles();
    assert_eq!(seeds.len(), 5);
    for (i, a) in seeds.iter().enumerate() {
        for chrome in CHROME {
            assert!(
                !a.text.contains(chrome),
                "seed {i} kept chrome {chrome:?}:\n{}",
                a.text
            );
        }
        for p in paragraphs(a) {
            assert!(p != "Share" && p != "-", "seed {i}: {p:?}");
        }
        assert!(a.quality.is_article, "seed {i}");
        assert_eq!(a.language.as_deref(), Some("en"), "seed {i}");
    }

    let s0 = &seeds[0];
    assert_eq!(
        s0.title.as_deref(),
        Some("Kerry seeks ‘real progress’ at Moscow talks")
    );
    let p0 = paragraphs(s0);
    assert_eq!(p0.len(), 9, "{p0:#?}");
    assert!(p0[0].starts_with("U.S. Secretary of State John Kerry said he wanted"));
    assert!(p0[8].starts_with("Kerry’s talks in Moscow will delve deeper"));
    assert_eq!(
        s0.published_at
            .unwrap()
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        "2015-12-16 08:53"
    );
    assert_eq!(s0.published_at_source, Some(DateSource::Dateline));
    assert!(
        s0.agencies.contains(&"SD-Agencies".to_string()),
        "{:?}",
        s0.agencies
    );
    assert_eq!(s0.site_name.as_deref(), Some("Shenzhen Daily"));

    let s1 = &seeds[1];
    assert_eq!(
        s1.title.as_deref(),
        Some("Russia, U.S. call for common ground over various issues")
    );
    let p1 = paragraphs(s1);
    assert_eq!(p1.len(), 17, "{p1:#?}");
    assert!(p1[0].starts_with("Russian Foreign Minister Sergei Lavrov met on Tuesday"));
    assert!(p1[16].starts_with("It is expected that the meetings on Tuesday"));
    assert_eq!(
        s1.published_at.unwrap().format("%Y-%m-%d").to_string(),
        "2015-12-15"
    );
    assert_eq!(s1.published_at_source, Some(DateSource::Dateline));
    assert!(
        s1.agencies.contains(&"Xinhua".to_string()),
        "{:?}",
        s1.agencies
    );

    let s2 = &seeds[2];
    assert_eq!(
        s2.title.as_deref(),
        Some("Kerry calls for frequent ground with Russian Federation on Syria, Ukraine")
    );
    let p2 = paragraphs(s2);
    assert_eq!(p2.len(), 14, "{p2:#?}");
    assert!(p2[0].starts_with("Last night Mr Kerry flew to Moscow"));
    assert!(p2[13].starts_with("Kerry is asking for Russia’s full implementation"));
    assert_eq!(s2.agencies, ["TASS"]);

    let s3 = &seeds[3];
    assert_eq!(
        s3.title.as_deref(),
        Some("Kerry to address Turkey-Russia tensions with Putin")
    );
    let p3 = paragraphs(s3);
    assert_eq!(p3.len(), 10, "{p3:#?}");
    assert!(p3[0].starts_with("Russian Federation and the US are at odds"));
    assert!(p3[9].starts_with("“Of course, we wanted to continue"));

    let s4 = &seeds[4];
    assert_eq!(
        s4.title.as_deref(),
        Some("Kerry: US, Russia reaching end of Syria talks by Sept.")
    );
    let p4 = paragraphs(s4);
    assert_eq!(p4.len(), 10, "{p4:#?}");
    assert!(p4[0].starts_with("US Secretary of State John Kerry has said"));
    assert!(p4[9].starts_with("Syria has been gripped by foreign-backed militancy"));
    assert!(
        s4.agencies.contains(&"AFP".to_string()),
        "{:?}",
        s4.agencies
    );
}

fn html_page(body: String) -> Page {
    Page {
        id: "t".into(),
        url: Some("HTTPS://Example.COM:443/news/2015/12/15/kerry?utm_source=x&id=3#top".into()),
        fetched_at: Some(chrono::Utc::now()),
        kind: BodyKind::Html,
        body,
        charset: "utf-8",
        headers: Default::default(),
        source_hint: None,
    }
}

#[test]
fn html_article_end_to_end() {
    let prose = "The secretary of state arrived in Moscow on Tuesday for talks with the Russian \
                 foreign minister about the war in Syria and the planned ceasefire.";
    let body = format!(
        r#"<html lang="en"><head><title>Kerry meets Putin | Example News</title>
        <meta property="og:site_name" content="Example News">
        <meta property="article:published_time" content="2015-12-15T10:00:00+03:00">
        <meta name="author" content="Jane Doe"></head><body>
        <nav><a href="/">Home</a></nav><article><h1>Kerry meets Putin</h1>
        <p>MOSCOW (Reuters) - {prose}</p><p>{prose} Again.</p><p>{prose} Once more.</p>
        <figure><img src=x.jpg><figcaption>Kerry in Moscow. (AP Photo/Evan Vucci)</figcaption></figure>
        </article><footer>Copyright 2015</footer></body></html>"#
    );
    let a = Normalizer::default().normalize(&html_page(body));
    assert_eq!(a.title.as_deref(), Some("Kerry meets Putin"));
    assert_eq!(a.text.split("\n\n").count(), 3, "{}", a.text);
    assert_eq!(
        a.published_at.unwrap().to_rfc3339(),
        "2015-12-15T10:00:00+03:00"
    );
    assert_eq!(a.published_at_source, Some(DateSource::Meta));
    assert_eq!(a.authors, ["Jane Doe"]);
    assert_eq!(a.agencies, ["Reuters", "AP"]);
    assert_eq!(a.site_name.as_deref(), Some("Example News"));
    assert_eq!(
        a.canonical_url.as_deref(),
        Some("https://example.com/news/2015/12/15/kerry?id=3")
    );
    assert_eq!(a.language.as_deref(), Some("en"));
    assert!(a.word_count > 60);
}

#[test]
fn short_pages_are_flagged_not_dropped() {
    let a = Normalizer::default().normalize(&html_page("<p>Page not found.</p>".into()));
    assert!(!a.quality.is_article);
    assert_eq!(a.text, "Page not found.");
}

#[test]
fn future_and_ancient_dates_are_not_publish_dates() {
    let body = r#"<meta property="article:published_time" content="2999-01-01"><p>x</p>"#;
    let mut page = html_page(body.into());
    page.url = None;
    let a = Normalizer::default().normalize(&page);
    assert_eq!(a.published_at_source, Some(DateSource::FetchedAt));
    let body = r#"<meta property="article:published_time" content="1990-01-01"><p>x</p>"#;
    let a = Normalizer::default().normalize(&Page {
        url: None,
        ..html_page(body.into())
    });
    assert_eq!(a.published_at_source, Some(DateSource::FetchedAt));
}

/// Hostile inputs: no panic, bounded memory (the DOM caps depth and attributes), linear time.
#[test]
fn hostile_inputs() {
    let n = Normalizer::default();
    let t = std::time::Instant::now();
    let deep = "<div>".repeat(100_000) + "deep text here" + &"</div>".repeat(100_000);
    let a = n.normalize(&html_page(deep));
    assert!(a.text.contains("deep text here"));
    let one_line = "word ".repeat(1_000_000);
    let a = n.normalize(&html_page(format!("<p>{one_line}</p>")));
    assert_eq!(a.word_count, 1_000_000);
    let mut text_page = html_page(one_line);
    text_page.kind = BodyKind::Text;
    let _ = n.normalize(&text_page);
    let attrs: String = (0..1_000_000).map(|i| format!(" a{i}=\"v\"")).collect();
    let a = n.normalize(&html_page(format!("<div{attrs}>text</div>")));
    assert_eq!(a.text, "text");
    let invalid =
        String::from_utf8_lossy(&[0xff, 0xfe, b'<', b'p', b'>', 0xc3, 0x28, b'x']).into_owned();
    let _ = n.normalize(&html_page(invalid));
    let unclosed = "<p><b><i><a>".repeat(50_000);
    let _ = n.normalize(&html_page(unclosed));
    let entities = "&#x110000;&#0;&amp".repeat(100_000);
    let _ = n.normalize(&html_page(entities));
    assert!(
        t.elapsed().as_secs() < 60,
        "hostile inputs took {:?}",
        t.elapsed()
    );
}

/// A page with `head` metadata and a headline followed by `byline` and three paragraphs.
fn dated_page(head: &str, byline: &str) -> Article {
    dated_page_with(head, byline, "")
}

/// [`dated_page`] with `tail` after the article.
fn dated_page_with(head: &str, byline: &str, tail: &str) -> Article {
    let prose = "The secretary of state arrived in Moscow on Tuesday for talks with the Russian \
                 foreign minister about the war in Syria and the planned ceasefire.";
    let body = format!(
        r#"<html><head>{head}</head><body><article><h1>Kerry meets Putin</h1>{byline}
        <p>{prose}</p><p>{prose} Again.</p><p>{prose} Once more.</p></article>{tail}</body></html>"#
    );
    let mut page = html_page(body);
    page.url = Some("https://example.com/news/kerry".into());
    Normalizer::default().normalize(&page)
}

fn day_of(a: &Article) -> String {
    a.published_at.map(|d| d.to_rfc3339()).unwrap_or_default()[..10].to_string()
}

#[test]
fn revision_dates_give_way_to_the_original_publish_date() {
    let head = r#"<meta property="article:published_time" content="2020-03-10T15:30:00+00:00">
        <meta property="article:modified_time" content="2025-02-12T13:28:34+00:00">"#;
    // The headline shows the modified date: the original publish date wins.
    let a = dated_page(head, "<div>By Jo Smith | February 12, 2025</div>");
    assert_eq!(day_of(&a), "2020-03-10");
    assert_eq!(a.published_at_source, Some(DateSource::Meta));
    // A headline date that is neither the modified nor the published date stays.
    let a = dated_page(head, "<div>By Jo Smith | February 14, 2025</div>");
    assert_eq!(day_of(&a), "2025-02-14");
    // A headline date labelled "Updated" gives way even without a modified date…
    let head = r#"<meta property="article:published_time" content="2018-06-12T08:00:00+00:00">"#;
    let a = dated_page(head, "<div>Updated on March 7, 2025</div>");
    assert_eq!(day_of(&a), "2018-06-12");
    let a = dated_page(
        head,
        r#"<div>Last updated: <time datetime="2025-03-07">March 7, 2025</time></div>"#,
    );
    assert_eq!(day_of(&a), "2018-06-12");
    // …but an unlabelled one is the publish date shown to readers.
    let a = dated_page(head, "<div>March 7, 2025</div>");
    assert_eq!(day_of(&a), "2025-03-07");
    // A publish tag that agrees with the headline date confirms it.
    let head = r#"<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2018-04-03T16:50:00Z"}</script>
        <meta property="article:published_time" content="2025-12-19T18:06:00Z">
        <meta property="article:modified_time" content="2025-12-19T18:06:00Z">"#;
    let a = dated_page(head, "<div>December 19, 2025</div>");
    assert_eq!(day_of(&a), "2025-12-19");
}

#[test]
fn utc_meta_dates_take_the_pages_local_offset() {
    let head = r#"<meta property="article:published_time" content="2025-12-19T03:05:00+00:00">"#;
    let footer = r#"<p>More posts</p><div><time datetime="2025-12-18T19:05:00-08:00">December 18, 2025</time></div>"#;
    let a = dated_page(head, "");
    assert_eq!(day_of(&a), "2025-12-19");
    let a = dated_page_with(head, "", footer);
    assert_eq!(day_of(&a), "2025-12-18");
}

#[test]
fn the_url_date_settles_day_month_order() {
    let prose = "The secretary of state arrived in Moscow on Tuesday for talks with the Russian \
                 foreign minister about the war in Syria and the planned ceasefire.";
    let body = format!(
        r#"<html><body><article><h1>Kerry meets Putin</h1><div>03/10/2023 by Jo Smith</div>
        <p>{prose}</p><p>{prose} Again.</p><p>{prose} Once more.</p></article></body></html>"#
    );
    let mut page = html_page(body);
    page.url = Some("https://example.com/blog/2023/october/03/kerry/".into());
    let a = Normalizer::default().normalize(&page);
    assert_eq!(day_of(&a), "2023-10-03");
    assert_eq!(a.published_at_source, Some(DateSource::Url));
}

#[test]
fn a_date_line_above_the_headline_counts() {
    let prose = "The secretary of state arrived in Moscow on Tuesday for talks with the Russian \
                 foreign minister about the war in Syria and the planned ceasefire.";
    let body = format!(
        r#"<html><head><meta property="article:published_time" content="2024-07-05T10:00:00Z">
        </head><body><article><div><span>Nutrition</span></div><div>March 1, 2024</div>
        <h1>Kerry meets Putin</h1><p>{prose}</p><p>{prose} Again.</p><p>{prose} Once more.</p>
        </article></body></html>"#
    );
    let mut page = html_page(body);
    page.url = Some("https://example.com/news/kerry".into());
    let a = Normalizer::default().normalize(&page);
    assert_eq!(day_of(&a), "2024-03-01");
    assert_eq!(a.published_at_source, Some(DateSource::Dateline));
}

#[test]
fn the_headline_zone_reaches_past_a_standfirst_to_the_byline() {
    let prose = "The secretary of state arrived in Moscow on Tuesday for talks with the Russian \
                 foreign minister about the war in Syria and the planned ceasefire.";
    let body = format!(
        r#"<html><head><meta property="article:published_time" content="2024-08-07T12:01:51Z">
        </head><body><div><p>About products, startups, growth, marketing and all in between.</p></div>
        <article><h1>Kerry meets Putin</h1><h2>Talks in Moscow</h2>
        <div><span>Jo Smith</span></div><div><span>7 min read</span><span>Dec 30, 2013</span></div>
        <p>{prose}</p><p>{prose} Again.</p><p>{prose} Once more.</p></article></body></html>"#
    );
    let mut page = html_page(body);
    page.url = Some("https://example.com/news/kerry".into());
    let a = Normalizer::default().normalize(&page);
    assert_eq!(day_of(&a), "2013-12-30");
    assert_eq!(a.published_at_source, Some(DateSource::Dateline));
}

#[test]
fn a_machine_date_elsewhere_settles_day_month_order() {
    let byline = r#"<div><time datetime="02-12-2025">02-12-2025</time></div>"#;
    let tail = r#"<div><h4>Kerry meets Putin</h4><time datetime="2025-12-02">December 02, 2025</time></div>"#;
    assert_eq!(day_of(&dated_page(byline_head(), byline)), "2025-02-12");
    assert_eq!(
        day_of(&dated_page_with(byline_head(), byline, tail)),
        "2025-12-02"
    );
}

fn byline_head() -> &'static str {
    "<title>Kerry meets Putin</title>"
}

#[test]
fn a_shown_update_date_stands_when_only_structured_data_has_a_publish_date() {
    // JSON-LD alone carries the publish date: the update date readers see is the page's date.
    let ld = r#"<script type="application/ld+json">{"@type":"Article","datePublished":"2018-06-12T08:00:00Z","dateModified":"2025-03-07T08:00:00Z"}</script>"#;
    let a = dated_page(ld, "<div>Updated on March 7, 2025</div>");
    assert_eq!(day_of(&a), "2025-03-07");
    // A publish meta tag declares the original date: it wins over the shown revision.
    let head = format!(
        r#"{ld}<meta property="article:published_time" content="2018-06-12T08:00:00+00:00">"#
    );
    let a = dated_page(&head, "<div>Updated on March 7, 2025</div>");
    assert_eq!(day_of(&a), "2018-06-12");
}

#[test]
fn a_revision_label_inside_the_time_element_counts() {
    let head = r#"<meta property="article:published_time" content="2018-06-12T08:00:00+00:00">"#;
    let a = dated_page(
        head,
        r#"<div><time datetime="2025-03-07">Last updated: March 7, 2025</time></div>"#,
    );
    assert_eq!(day_of(&a), "2018-06-12");
}

#[test]
fn a_publish_date_next_to_a_revision_date_wins() {
    // Both on one line, the revision first.
    let a = dated_page(
        "",
        "<div>Updated: Jan 2, 2026 · Published: Dec 22, 2022</div>",
    );
    assert_eq!(day_of(&a), "2022-12-22");
    // On two lines above the headline, the revision nearer to it.
    let prose = "The secretary of state arrived in Moscow on Tuesday for talks with the Russian \
                 foreign minister about the war in Syria and the planned ceasefire.";
    let body = format!(
        r#"<html><body><article><div>DECEMBER 22, 2022</div><div>Updated: JANUARY 02, 2026</div>
        <h1>Kerry meets Putin</h1><p>{prose}</p><p>{prose} Again.</p><p>{prose} Once more.</p>
        </article></body></html>"#
    );
    let a = Normalizer::default().normalize(&html_page(body));
    assert_eq!(day_of(&a), "2022-12-22");
}

#[test]
fn an_originally_published_note_gives_the_publish_date() {
    let tail = "<p>This article was originally published on 26 Sep 2019 at 4:12pm but has since been updated.</p>";
    let a = dated_page_with("", "<div>30 Sep 2022, 11:07am</div>", tail);
    assert_eq!(day_of(&a), "2019-09-26");
    let a = dated_page("", "<div>30 Sep 2022, 11:07am</div>");
    assert_eq!(day_of(&a), "2022-09-30");
}

#[test]
fn publish_dates_in_escaped_json_are_a_last_resort() {
    let byline = r#"<div data-props="{&quot;dateModified&quot;:&quot;2025-11-18T09:00:00-05:00&quot;,&quot;datePublished&quot;:&quot;2025-11-17T09:00:00-05:00&quot;}"></div>"#;
    let a = dated_page("", byline);
    assert_eq!(day_of(&a), "2025-11-17");
    let a = dated_page("", "");
    assert_eq!(a.published_at_source, Some(DateSource::FetchedAt));
}

#[test]
fn the_byline_after_a_short_standfirst_is_the_headline_date() {
    let ld = r#"<script type="application/ld+json">{"@type":"Article","datePublished":"2025-01-01T03:00:00"}</script>"#;
    let byline = "<p>Ready to ditch the old and embrace the new? Revamp your closet with these.</p>\
        <div><span>By</span><span>Jo Smith</span><span>Mar 5, 2025</span> | <span>6 comments</span></div>";
    let a = dated_page(ld, byline);
    assert_eq!(day_of(&a), "2025-03-05");
    assert_eq!(a.published_at_source, Some(DateSource::Dateline));
    // A dated list item after the standfirst is text, not a byline.
    let list = "<p>Ready to ditch the old and embrace the new? Revamp your closet with these.</p>\
        <ul><li>2022-04-12 Link to the next post.</li></ul>";
    let a = dated_page(ld, list);
    assert_eq!(day_of(&a), "2025-01-01");
}

#[test]
fn a_list_of_dated_posts_under_the_headline_is_no_dateline() {
    let prose = "The secretary of state arrived in Moscow on Tuesday for talks with the Russian \
                 foreign minister about the war in Syria and the planned ceasefire.";
    let card = |day: &str| {
        format!(
            r#"<div class="card"><a href="/x">Another story on the talks</a>
            <div class="post-meta"><a href="/jo">Jo Smith</a> | {day}</div></div>"#
        )
    };
    let cards: String = ["July 15, 2025", "June 9, 2025", "June 5, 2025"]
        .into_iter()
        .map(card)
        .collect();
    let page_with = |cards: &str| {
        let body = format!(
            r#"<html><head><title>Kerry meets Putin</title></head><body><div>
            <div><span>January 16, 2025</span></div><h1>Kerry meets Putin</h1></div>
            <aside><h4>Most popular</h4>{cards}</aside>
            <article><p>{prose}</p><p>{prose} Again.</p><p>{prose} Once more.</p></article>
            </body></html>"#
        );
        let mut page = html_page(body);
        page.url = Some("https://example.com/news/kerry".into());
        Normalizer::default().normalize(&page)
    };
    // The teaser list between headline and text is skipped: the date over the headline counts.
    assert_eq!(day_of(&page_with(&cards)), "2025-01-16");
    // A single dated line there is the headline's date line.
    assert_eq!(day_of(&page_with(&card("July 15, 2025"))), "2025-07-15");
}

#[test]
fn an_h1_that_is_not_the_headline_still_anchors_the_byline_date() {
    let prose = "The secretary of state arrived in Moscow on Tuesday for talks with the Russian \
                 foreign minister about the war in Syria and the planned ceasefire.";
    let ld = r#"<script type="application/ld+json">{"@type":"Article","headline":"Kerry meets Putin","datePublished":"2023-07-22T03:47:21+00:00"}</script>"#;
    let page_with = |byline: &str| {
        let body = format!(
            r#"<html><head><title>Kerry meets Putin | Example</title>
            <meta property="og:title" content="Kerry meets Putin">{ld}</head><body>
            <div><h1>Learn what the secretary of state and the Russian president agreed on in Moscow this week, what it means for the planned ceasefire in Syria, and why diplomats in both capitals expect the next round of talks to be harder than anything they have tried so far.</h1>
            {byline}<div><a href="/jo">Full bio</a></div><div><a href="/share">Share</a></div>
            <div><a href="/print">Print</a></div></div>
            <article><p>{prose}</p><p>{prose} Again.</p><p>{prose} Once more.</p></article>
            </body></html>"#
        );
        let mut page = html_page(body);
        page.url = Some("https://example.com/news/kerry".into());
        Normalizer::default().normalize(&page)
    };
    let a =
        page_with("<div><span>By <b>Jo Smith</b></span> <span>Updated Sep 5, 2024</span></div>");
    assert_eq!(day_of(&a), "2024-09-05");
    assert_eq!(a.published_at_source, Some(DateSource::Dateline));
    // Without a dated line under the h1, the structured publish date stands.
    let a = page_with("<div><span>By <b>Jo Smith</b></span></div>");
    assert_eq!(day_of(&a), "2023-07-22");
}

#[test]
fn a_marked_publish_element_beats_a_json_ld_save_stamp() {
    let stamp = r#"<script type="application/ld+json">{"@type":"Article","datePublished":"2025-11-29T12:28:31-05:00","dateModified":"2025-11-29T12:28:31-05:00"}</script>"#;
    let tail = r#"<div class="published">Published <time pubdate datetime="2025-08-13">August 13, 2025</time></div>"#;
    let a = dated_page_with(stamp, "", tail);
    assert_eq!(day_of(&a), "2025-08-13");
    assert_eq!(a.published_at_source, Some(DateSource::Time));
    // A JSON-LD publish date distinct from its modified date stands.
    let ld = r#"<script type="application/ld+json">{"@type":"Article","datePublished":"2025-11-29T12:28:31-05:00","dateModified":"2025-12-01T09:00:00-05:00"}</script>"#;
    assert_eq!(day_of(&dated_page_with(ld, "", tail)), "2025-11-29");
    // Two marked elements (a list of posts) settle nothing.
    let two = format!(
        "{tail}{}",
        tail.replace("08-13", "07-02")
            .replace("August 13", "July 2")
    );
    assert_eq!(day_of(&dated_page_with(stamp, "", &two)), "2025-11-29");
}
