//! Property tests: the parser never panics, and when it accepts a file, nothing in the
//! file is dropped and the model survives a JSON round trip.

use firebreak_core::runbook::{Block, Runbook, Step, StepPath, parse, placeholder, uncovered_text};
use proptest::prelude::*;

/// Short text: Markdown punctuation, placeholders and arbitrary unicode mixed in.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ]{0,12}",
        "[ -~]{0,16}",
        "\\PC{0,10}",
        Just("{{ api_base }}".to_string()),
        Just("`code` *em* **strong** ~~del~~ [link](http://x) <b>html</b>".to_string()),
        Just("[ ]".to_string()),
        Just("\u{feff}\u{a0}\u{3000}é日本🚒".to_string()),
        Just("[^1] [ref] \\* &amp; |a|b|".to_string()),
    ]
}

fn line() -> impl Strategy<Value = String> {
    let indent = prop_oneof![Just(""), Just("  "), Just("   "), Just("    "), Just("\t")];
    let marker = prop_oneof![
        Just("- "),
        Just("* "),
        Just("+ "),
        Just("1. "),
        Just("2) "),
        Just("- [ ] "),
        Just("- [x] "),
        Just("-"),
        Just("10. "),
    ];
    prop_oneof![
        // Headings, ATX and setext.
        (1usize..8, text()).prop_map(|(n, t)| format!("{} {t}", "#".repeat(n))),
        text().prop_map(|t| format!("{t}\n===")),
        text().prop_map(|t| format!("{t}\n---")),
        // List items at various depths.
        (indent.clone(), marker, text()).prop_map(|(i, m, t)| format!("{i}{m}{t}")),
        // Paragraph text, maybe indented.
        (indent.clone(), text()).prop_map(|(i, t)| format!("{i}{t}")),
        // Code fences, maybe indented, maybe unterminated.
        (
            indent.clone(),
            prop_oneof![
                Just("```"),
                Just("~~~"),
                Just("```console"),
                Just("```sh x")
            ],
            text(),
            any::<bool>()
        )
            .prop_map(|(i, f, t, close)| {
                let close = if close {
                    format!("\n{i}```")
                } else {
                    String::new()
                };
                format!("{i}{f}\n{i}{t}{close}")
            }),
        // Probe fences, valid and not.
        (indent.clone(), probe_body()).prop_map(|(i, body)| {
            let body: Vec<String> = body.lines().map(|l| format!("{i}{l}")).collect();
            format!("{i}```probe\n{}\n{i}```", body.join("\n"))
        }),
        // Quotes, with lists inside.
        text().prop_map(|t| format!("> {t}")),
        text().prop_map(|t| format!("> - {t}\n> > nested")),
        // HTML.
        Just("<details>\n<summary>More</summary>".to_string()),
        Just("</details>".to_string()),
        Just("<!-- a comment -->".to_string()),
        text().prop_map(|t| format!("<div>\n{t}\n</div>")),
        // Tables, rules, definitions.
        text().prop_map(|t| format!("| a | b |\n|---|---|\n| {t} | 2 |")),
        Just("---".to_string()),
        Just("***".to_string()),
        text().prop_map(|t| format!("[ref]: http://example.com/{t}")),
        text().prop_map(|t| format!("[^1]: {t}")),
        Just(String::new()),
        any::<String>(),
    ]
}

fn probe_body() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("kind = \"http\"\nurl = \"{{ api_base }}/health\"".to_string()),
        Just("kind = \"dns\"\nquery = \"x.example\"\nrecord = \"MX\"".to_string()),
        Just("kind = \"tcp\"\naddress = \"db:5432\"\ntimeout = \"2s\"".to_string()),
        Just("kind = \"tls\"\naddress = \"{{ host }}:443\"".to_string()),
        Just("kind = \"http\"".to_string()),
        Just("kind = \"htp\"".to_string()),
        "[ -~]{0,30}",
    ]
}

fn front_matter() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("---\ntitle: T\nvariables:\n  api_base: https://api.example.com\n---\n".to_string()),
        Just("+++\ntitle = \"T\"\nweight = 1\n+++\n".to_string()),
        text().prop_map(|t| format!("---\ntitle: {t}\n---\n")),
        text().prop_map(|t| format!("+++\n{t}\n+++\n")),
    ]
}

fn document() -> impl Strategy<Value = String> {
    (
        front_matter(),
        proptest::collection::vec(
            (line(), prop_oneof![Just("\n"), Just("\n\n"), Just("\r\n")]),
            0..30,
        ),
    )
        .prop_map(|(fm, lines)| {
            let mut out = fm;
            for (l, sep) in lines {
                out.push_str(&l);
                out.push_str(sep);
            }
            out
        })
}

/// Nested containers: list items and quotes holding other blocks, indented properly.
fn nested_block() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        text(),
        (1usize..4, text()).prop_map(|(n, t)| format!("{} {t}", "#".repeat(n))),
        text().prop_map(|t| format!("```sh\n{t}\n```")),
        probe_body().prop_map(|b| format!("```probe\n{b}\n```")),
        text().prop_map(|t| format!("| a |\n|---|\n| {t} |")),
        text().prop_map(|t| format!("<details>\n<summary>{t}</summary>\n\n{t}\n\n</details>")),
        text().prop_map(|t| format!("[r{}]: /u\n[^n]: {t}", t.len())),
        Just("---".to_string()),
        Just("    indented code".to_string()),
    ];
    leaf.prop_recursive(5, 40, 4, |inner| {
        let children = proptest::collection::vec(inner, 1..4);
        let sep = prop_oneof![Just("\n"), Just("\n\n")];
        prop_oneof![
            (
                prop_oneof![
                    Just("- "),
                    Just("1. "),
                    Just("- [ ] "),
                    Just("* [x] "),
                    Just("+ ")
                ],
                children.clone(),
                sep.clone()
            )
                .prop_map(|(marker, kids, sep)| {
                    let pad = " ".repeat(marker.chars().count());
                    let body = kids.join(sep);
                    let mut out = String::from(marker);
                    for (i, l) in body.lines().enumerate() {
                        if i > 0 {
                            out.push('\n');
                            if !l.is_empty() {
                                out.push_str(&pad);
                            }
                        }
                        out.push_str(l);
                    }
                    out
                }),
            (children, sep).prop_map(|(kids, sep)| {
                kids.join(sep)
                    .lines()
                    .map(|l| format!("> {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            }),
        ]
    })
}

fn check(rb: &Runbook) -> Result<(), TestCaseError> {
    prop_assert_eq!(uncovered_text(rb), Vec::<(usize, String)>::new());
    let src = rb.source.as_str();
    fn block_ok(src: &str, b: &Block) -> bool {
        src.get(b.span.clone()) == Some(b.source.as_str())
    }
    fn walk(src: &str, step: &Step) -> Result<(), TestCaseError> {
        prop_assert_eq!(src.get(step.text_span.clone()), Some(step.text.as_str()));
        prop_assert!(src.get(step.marker_span.clone()).is_some());
        prop_assert!(src.get(step.span.clone()).is_some());
        for b in &step.blocks {
            prop_assert!(block_ok(src, b), "{:?}", b);
        }
        for (i, sub) in step.substeps.iter().enumerate() {
            prop_assert_eq!(&sub.path, &step.path.child(i as u32 + 1));
            walk(src, sub)?;
        }
        Ok(())
    }
    let mut top = 0;
    for section in &rb.sections {
        prop_assert!(src.get(section.heading_span.clone()).is_some());
        for b in &section.blocks {
            prop_assert!(block_ok(src, b), "{:?}", b);
        }
        for step in &section.steps {
            top += 1;
            prop_assert_eq!(&step.path, &StepPath(vec![top]));
            walk(src, step)?;
        }
    }
    let json = serde_json::to_string(rb).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: Runbook =
        serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&back, rb);
    Ok(())
}

proptest! {
    #[test]
    fn markdown_from_a_grammar_is_never_dropped(doc in document()) {
        if let Ok(rb) = parse(&doc, "prop") {
            check(&rb)?;
        }
    }

    #[test]
    fn nested_containers_are_never_dropped(
        blocks in proptest::collection::vec(nested_block(), 1..6),
        sep in prop_oneof![Just("\n"), Just("\n\n")],
    ) {
        let doc = format!("---\nvariables:\n  api_base: https://x.example\n  host: h\n---\n# Title\n\n{}\n", blocks.join(sep));
        if let Ok(rb) = parse(&doc, "prop") {
            check(&rb)?;
        }
    }

    #[test]
    fn any_string_never_panics(s in any::<String>()) {
        if let Ok(rb) = parse(&s, "prop") {
            check(&rb)?;
        }
    }

    #[test]
    fn markdown_punctuation_soup_never_panics(s in "[-*+#>`~|\\[\\]()!<>{}_=:. \t\n\r0-9a\u{e9}\u{feff}\\\\]{0,80}") {
        if let Ok(rb) = parse(&s, "prop") {
            check(&rb)?;
        }
    }

    #[test]
    fn placeholders_never_panic(s in "[{} a-z_.\\-\t\u{e9}0-9]{0,40}") {
        let names = placeholder::names(&s);
        let filled = placeholder::fill(&s, |n| Some(format!("<{n}>")));
        prop_assert!(filled.missing.is_empty());
        let untouched = placeholder::fill(&s, |_| None);
        prop_assert_eq!(&untouched.text, &s);
        prop_assert_eq!(untouched.missing, names);
    }
}
