//! The Markdown runbook parser: shapes of runbooks, where content attaches, and errors.

use firebreak_core::runbook::probe_spec::{ProbeTarget, RecordType};
use firebreak_core::runbook::{
    Block, BlockKind, FrontMatterFormat, Runbook, RunbookError, Section, Step, StepPath,
    content_hash, parse, uncovered_text,
};
use std::time::Duration;

/// Parses and checks the invariants every parsed runbook keeps.
fn ok(source: &str) -> Runbook {
    let rb = match parse(source, "fallback name.md") {
        Ok(rb) => rb,
        Err(e) => panic!("parse failed: {e}\n{source}"),
    };
    check_invariants(&rb);
    rb
}

fn check_invariants(rb: &Runbook) {
    assert_eq!(uncovered_text(rb), Vec::<(usize, String)>::new());
    assert_eq!(rb.content_hash, content_hash(&rb.source));
    let src = rb.source.as_str();
    let check_block = |b: &Block| {
        assert_eq!(src.get(b.span.clone()), Some(b.source.as_str()), "{b:?}");
        assert_eq!(
            b.line as usize,
            src[..b.span.start].matches('\n').count() + 1
        );
    };
    fn walk(step: &Step, src: &str, check_block: &dyn Fn(&Block)) {
        assert_eq!(src.get(step.text_span.clone()), Some(step.text.as_str()));
        assert!(src.get(step.marker_span.clone()).is_some());
        assert_eq!(step.text.trim(), step.text);
        for b in &step.blocks {
            check_block(b);
        }
        for (i, sub) in step.substeps.iter().enumerate() {
            assert_eq!(sub.path, step.path.child(i as u32 + 1));
            walk(sub, src, check_block);
        }
    }
    let mut top = 0;
    for section in &rb.sections {
        assert!(src.get(section.heading_span.clone()).is_some());
        for b in &section.blocks {
            check_block(b);
        }
        for step in &section.steps {
            top += 1;
            assert_eq!(
                step.path,
                StepPath(vec![top]),
                "steps numbered through the runbook"
            );
            walk(step, src, &check_block);
        }
    }
    let json = serde_json::to_string(rb).expect("serialize");
    let back: Runbook = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(&back, rb, "JSON round trip");
}

fn err(source: &str) -> RunbookError {
    match parse(source, "x") {
        Ok(rb) => panic!("expected an error, parsed {} sections", rb.sections.len()),
        Err(e) => e,
    }
}

fn step<'a>(rb: &'a Runbook, path: &str) -> &'a Step {
    let path: StepPath = path.parse().expect("path");
    rb.step(&path)
        .unwrap_or_else(|| panic!("no step {path} in {:#?}", rb.steps()))
}

fn section<'a>(rb: &'a Runbook, title: &str) -> &'a Section {
    rb.sections
        .iter()
        .find(|s| s.title == title)
        .unwrap_or_else(|| panic!("no section {title:?}"))
}

fn kinds(blocks: &[Block]) -> Vec<&'static str> {
    blocks
        .iter()
        .map(|b| match &b.kind {
            BlockKind::Paragraph => "paragraph",
            BlockKind::Quote => "quote",
            BlockKind::Table => "table",
            BlockKind::Html => "html",
            BlockKind::Rule => "rule",
            BlockKind::Command { .. } => "command",
            BlockKind::Probe { .. } => "probe",
            BlockKind::Other => "other",
        })
        .collect()
}

fn paths(rb: &Runbook) -> Vec<String> {
    rb.steps()
        .into_iter()
        .map(|(_, s)| s.path.to_string())
        .collect()
}

#[test]
fn yaml_front_matter() {
    let rb = ok(
        "---\ntitle: Database failover\nid: db-failover\ntags: [db, sev2]\nservices:\n  - postgres\nvariables:\n  primary: db-1:5432\n  retries: 3\n---\n\n# Failover\n\n- Check the primary.\n",
    );
    assert_eq!(rb.id, "db-failover");
    assert_eq!(rb.title, "Database failover");
    let fm = &rb.front_matter;
    assert_eq!(fm.format, Some(FrontMatterFormat::Yaml));
    assert_eq!(fm.tags, vec!["db", "sev2"]);
    assert_eq!(fm.services, vec!["postgres"]);
    assert_eq!(fm.variables.get("retries").map(String::as_str), Some("3"));
    assert_eq!(
        fm.span,
        Some(0..rb.source.find("---\n\n#").expect("closer") + 3)
    );
    assert_eq!(rb.sections.len(), 1);
    assert_eq!(rb.sections[0].line, 12);
}

#[test]
fn toml_front_matter() {
    let rb = ok(
        "+++\ntitle = \"Cache flush\"\ntags = [\"cache\"]\nweight = 5\n\n[variables]\nredis = \"cache-1:6379\"\n+++\n# Flush\n\n1. Flush it.\n",
    );
    assert_eq!(rb.front_matter.format, Some(FrontMatterFormat::Toml));
    assert_eq!(rb.title, "Cache flush");
    assert_eq!(rb.id, "fallback-name");
    assert_eq!(
        rb.front_matter.extra.get("weight"),
        Some(&serde_json::json!(5))
    );
    assert_eq!(
        rb.front_matter.variables.get("redis").map(String::as_str),
        Some("cache-1:6379")
    );
}

#[test]
fn no_front_matter_title_and_id_fallbacks() {
    let rb = ok("Some intro.\n\n## The *real* `title`\n\ntext\n");
    assert_eq!(rb.title, "The real title");
    assert_eq!(rb.id, "fallback-name");
    assert_eq!(rb.front_matter.format, None);
    assert_eq!(rb.front_matter.span, None);
    // The section title keeps its inline Markdown.
    assert_eq!(rb.sections[1].title, "The *real* `title`");

    let rb = ok("- just a step\n");
    assert_eq!(rb.title, "fallback-name", "no heading: the id");
    let rb = parse("text", "My Runbook!").expect("parse");
    assert_eq!(rb.id, "my-runbook");
}

#[test]
fn hugo_front_matter_keeps_unknown_keys() {
    let rb = ok(
        "---\ntitle: Hugo page\nweight: 10\ndraft: true\naliases: [/old/path]\nparams:\n  nested: {a: 1}\nlastmod: 2024-03-01\n---\nBody.\n",
    );
    let extra = &rb.front_matter.extra;
    assert_eq!(extra.get("weight"), Some(&serde_json::json!(10)));
    assert_eq!(extra.get("draft"), Some(&serde_json::json!(true)));
    assert_eq!(
        extra.get("aliases"),
        Some(&serde_json::json!(["/old/path"]))
    );
    assert_eq!(
        extra.get("params"),
        Some(&serde_json::json!({"nested": {"a": 1}}))
    );
    assert_eq!(extra.get("lastmod"), Some(&serde_json::json!("2024-03-01")));
    assert!(!extra.contains_key("title"));
}

#[test]
fn sub_steps_three_deep() {
    let rb = ok(
        "# S\n\n- one\n  - one.one\n    - one.one.one\n      - one.one.one.one\n    - one.one.two\n  - one.two\n- two\n",
    );
    assert_eq!(
        paths(&rb),
        vec!["1", "1.1", "1.1.1", "1.1.1.1", "1.1.2", "1.2", "2"]
    );
    assert_eq!(step(&rb, "1.1.1.1").text, "one.one.one.one");
    assert_eq!(step(&rb, "1.1.2").line, 7);
    assert_eq!(step(&rb, "1").substeps.len(), 2);
}

#[test]
fn every_list_marker_is_a_step() {
    let rb = ok(
        "# S\n\n- dash\n\n* star\n\n+ plus\n\n1. one\n2. two\n\n7) paren\n\n- [ ] open\n- [x] done\n- [X] done too\n",
    );
    let texts: Vec<_> = rb
        .steps()
        .into_iter()
        .map(|(_, s)| s.text.clone())
        .collect();
    assert_eq!(
        texts,
        vec![
            "dash", "star", "plus", "one", "two", "paren", "open", "done", "done too"
        ]
    );
    let tasks: Vec<_> = rb.steps().into_iter().map(|(_, s)| s.task).collect();
    assert_eq!(
        tasks,
        vec![
            None,
            None,
            None,
            None,
            None,
            None,
            Some(false),
            Some(true),
            Some(true)
        ]
    );
    let src = &rb.source;
    let marker = |p: &str| &src[step(&rb, p).marker_span.clone()];
    assert_eq!(marker("1"), "- ");
    assert_eq!(marker("4"), "1. ");
    assert_eq!(marker("6"), "7) ");
    assert_eq!(marker("7"), "- [ ] ");
    assert_eq!(marker("8"), "- [x] ");
}

#[test]
fn loose_lists_and_multi_line_text() {
    let rb = ok(
        "# S\n\n1. First line\n   continues here.\n\n   A second paragraph.\n\n   ```sh\n   echo hi\n   ```\n\n2. - [ ] Task in a loose\n     list.\n\n     More.\n",
    );
    let one = step(&rb, "1");
    assert_eq!(one.text, "First line\n   continues here.");
    assert_eq!(kinds(&one.blocks), vec!["paragraph", "command"]);
    assert_eq!(one.blocks[0].source, "A second paragraph.");
    match &one.blocks[1].kind {
        BlockKind::Command { lang, code } => {
            assert_eq!(lang.as_deref(), Some("sh"));
            assert_eq!(code, "echo hi\n");
        }
        other => panic!("{other:?}"),
    }
    let two = step(&rb, "2");
    assert_eq!(two.text, "");
    let sub = step(&rb, "2.1");
    assert_eq!(sub.task, Some(false));
    assert_eq!(sub.text, "Task in a loose\n     list.");
    assert_eq!(kinds(&sub.blocks), vec!["paragraph"]);
}

#[test]
fn tight_item_with_text_after_a_block() {
    let rb = ok("- before\n  ```\n  code\n  ```\n  after\n");
    let one = step(&rb, "1");
    assert_eq!(one.text, "before");
    assert_eq!(kinds(&one.blocks), vec!["command", "paragraph"]);
    assert_eq!(one.blocks[1].source, "after");
}

#[test]
fn blocks_attach_to_the_right_step_or_section() {
    let src = "# Phase\n\nIntro paragraph.\n\n> A quote before any step.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- Step one\n\nAfter step one.\n\n```console\n$ run\n```\n\n<details>\n<summary>More</summary>\n\nHidden *text*.\n\n</details>\n\n***\n\n- Step two\n- Step three\n\nTrailing text.\n\n## Next phase\n\nNext intro.\n\n    indented code\n";
    let rb = ok(src);
    let phase = section(&rb, "Phase");
    assert_eq!(kinds(&phase.blocks), vec!["paragraph", "quote", "table"]);
    assert_eq!(
        kinds(&step(&rb, "1").blocks),
        vec!["paragraph", "command", "html", "paragraph", "html", "rule"]
    );
    assert!(step(&rb, "2").blocks.is_empty());
    assert_eq!(kinds(&step(&rb, "3").blocks), vec!["paragraph"]);
    assert_eq!(step(&rb, "3").blocks[0].source, "Trailing text.");
    let next = section(&rb, "Next phase");
    assert_eq!(kinds(&next.blocks), vec!["paragraph", "command"]);
    match &next.blocks[1].kind {
        BlockKind::Command { lang, code } => {
            assert_eq!(lang, &None);
            assert_eq!(code, "indented code\n");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn lists_in_quotes_are_not_steps() {
    let rb = ok("# S\n\n> - not a step\n> - nor this\n\n- a step\n  > - quoted in a step\n");
    assert_eq!(paths(&rb), vec!["1"]);
    assert_eq!(kinds(&section(&rb, "S").blocks), vec!["quote"]);
    assert_eq!(kinds(&step(&rb, "1").blocks), vec!["quote"]);
}

#[test]
fn probes_of_each_kind_attach_to_their_step() {
    let src = r#"---
variables:
  api_base: https://api.example.com
  api_host: api.example.com
---
# Checks

```probe
kind = "tcp"
name = "before any step"
address = "{{ api_host }}:443"
```

- [ ] HTTP

  ```probe
  kind = "http"
  url = "{{ api_base }}/health"
  expect_status = [200, 204]
  timeout = "5s"
  ```

- [ ] DNS

  ```probe
  kind = "dns"
  query = "{{ api_host }}"
  record = "AAAA"
  expect = ["2001:db8::1"]
  ```

- [ ] TLS
  ```probe
  kind = "tls"
  address = "{{ api_host }}:443"
  min_days_left = 30
  ```

```probe
kind = "tcp"
address = "{{ unknown_host }}"
max_latency = "200ms"
```
"#;
    let rb = ok(src);
    let probe = |blocks: &[Block]| -> Vec<ProbeTarget> {
        blocks
            .iter()
            .filter_map(|b| match &b.kind {
                BlockKind::Probe { spec } => Some(spec.target.clone()),
                _ => None,
            })
            .collect()
    };
    let section_probes = probe(&section(&rb, "Checks").blocks);
    assert!(matches!(section_probes.as_slice(), [ProbeTarget::Tcp(_)]));
    match probe(&step(&rb, "1").blocks).as_slice() {
        [ProbeTarget::Http(h)] => {
            assert_eq!(h.url, "{{ api_base }}/health");
            assert_eq!(h.expect_status, Some(vec![200, 204]));
        }
        other => panic!("{other:?}"),
    }
    match probe(&step(&rb, "2").blocks).as_slice() {
        [ProbeTarget::Dns(d)] => {
            assert_eq!(d.record, RecordType::Aaaa);
            assert_eq!(d.expect, vec!["2001:db8::1"]);
        }
        other => panic!("{other:?}"),
    }
    match probe(&step(&rb, "3").blocks).as_slice() {
        [ProbeTarget::Tls(t)] => assert_eq!(t.min_days_left, 30),
        [ProbeTarget::Tls(t), ProbeTarget::Tcp(tcp)] => {
            assert_eq!(t.min_days_left, 30);
            assert_eq!(tcp.max_latency, Some(Duration::from_millis(200)));
        }
        other => panic!("{other:?}"),
    }
    // The section-level probe after step 3 attaches to step 3.
    assert_eq!(probe(&step(&rb, "3").blocks).len(), 2);
    if let BlockKind::Probe { spec } = &step(&rb, "1").blocks[0].kind {
        assert_eq!(spec.timeout, Some(Duration::from_secs(5)));
    }
}

#[test]
fn preamble_before_the_first_heading() {
    let rb = ok("Read this first.\n\n- a preamble step\n\n# First\n\n- step two\n");
    let pre = &rb.sections[0];
    assert_eq!(pre.level, 0);
    assert_eq!(pre.title, "");
    assert_eq!(pre.line, 1);
    assert!(pre.heading_span.is_empty());
    assert_eq!(kinds(&pre.blocks), vec!["paragraph"]);
    assert_eq!(pre.steps.len(), 1);
    assert_eq!(rb.sections[1].title, "First");
    assert_eq!(paths(&rb), vec!["1", "2"]);

    let rb = ok("# Only heading\n");
    assert_eq!(rb.sections.len(), 1, "no preamble section without content");
    let rb = ok("---\ntitle: x\n---\n\nPreamble after front matter.\n");
    assert_eq!(rb.sections[0].level, 0);
    assert_eq!(rb.sections[0].line, 5);
}

#[test]
fn steps_are_numbered_through_sections() {
    let rb = ok("# A\n- a1\n- a2\n# B\n1. b1\n   - b1.1\n# C\nno steps\n## D\n- d1\n");
    assert_eq!(paths(&rb), vec!["1", "2", "3", "3.1", "4"]);
    assert_eq!(step(&rb, "3").text, "b1");
    assert_eq!(step(&rb, "4").text, "d1");
    let by_section: Vec<(String, usize)> = rb
        .sections
        .iter()
        .map(|s| (s.title.clone(), s.steps.len()))
        .collect();
    assert_eq!(
        by_section,
        vec![
            ("A".to_string(), 2),
            ("B".to_string(), 1),
            ("C".to_string(), 0),
            ("D".to_string(), 1)
        ]
    );
}

#[test]
fn headings_of_every_level() {
    let rb = ok(
        "# One\n## Two\n### Three\n#### Four\n##### Five\n###### Six\n####### not a heading\n\nSetext one\n==========\n\nSetext two\n----------\n\n## Closed ##\n",
    );
    let levels: Vec<(u8, &str)> = rb
        .sections
        .iter()
        .map(|s| (s.level, s.title.as_str()))
        .collect();
    assert_eq!(
        levels,
        vec![
            (1, "One"),
            (2, "Two"),
            (3, "Three"),
            (4, "Four"),
            (5, "Five"),
            (6, "Six"),
            (1, "Setext one"),
            (2, "Setext two"),
            (2, "Closed")
        ]
    );
    assert_eq!(kinds(&rb.sections[5].blocks), vec!["paragraph"]);
    let setext = &rb.sections[6];
    assert_eq!(
        &rb.source[setext.heading_span.clone()],
        "Setext one\n=========="
    );
    assert_eq!(setext.line, 9);
}

#[test]
fn reference_definitions_and_footnotes_are_kept() {
    let rb = ok(
        "# S\n\nSee [the docs][d] and a note[^n].\n\n[d]: https://example.com \"Docs\"\n\n[^n]: The note\n    spans lines.\n\n- step\n\n  [inner]: /inner\n",
    );
    let s = section(&rb, "S");
    assert_eq!(kinds(&s.blocks), vec!["paragraph", "other", "other"]);
    assert_eq!(s.blocks[1].source, "[d]: https://example.com \"Docs\"");
    assert_eq!(s.blocks[2].source, "[^n]: The note\n    spans lines.");
    assert_eq!(kinds(&step(&rb, "1").blocks), vec!["other"]);
    assert_eq!(step(&rb, "1").blocks[0].source, "[inner]: /inner");
}

#[test]
fn placeholders_use_front_matter_defaults() {
    let ok_src = "---\nvariables:\n  base: https://x.example\n  port: 8443\n---\n# P\n```probe\nkind = \"http\"\nurl = \"{{ base }}/health\"\n```\n```probe\nkind = \"tcp\"\naddress = \"db:{{ port }}\"\n```\n";
    ok(ok_src);
    let bad = "---\nvariables:\n  base: not a url\n---\n# P\n```probe\nkind = \"http\"\nurl = \"{{ base }}/health\"\n```\n";
    let e = err(bad);
    assert_eq!(e.line, 8);
    assert_eq!(e.column, 1);
    assert!(
        e.expected.starts_with(
            "bad url \"{{ base }}/health\" (with the front matter defaults: \"not a url/health\"): expected an http or https URL"
        ),
        "{e}"
    );
    let bad_port = "---\nvariables:\n  port: \"99999\"\n---\n# P\n```probe\nkind = \"tcp\"\naddress = \"db:{{ port }}\"\n```\n";
    assert_eq!(err(bad_port).line, 8);
}

#[test]
fn crlf_and_bom() {
    let rb = ok("\u{feff}---\r\ntitle: T\r\n---\r\n# H\r\n\r\n- [ ] a\r\n  - b\r\n");
    assert_eq!(rb.title, "T");
    assert_eq!(paths(&rb), vec!["1", "1.1"]);
    assert_eq!(step(&rb, "1").text, "a");
    let rb = ok("\u{feff}# H\n");
    assert_eq!(rb.sections[0].title, "H");
}

#[test]
fn content_hash_is_sha256_of_the_bytes() {
    let rb = ok("# x\n");
    // printf '# x\n' | sha256sum
    assert_eq!(
        rb.content_hash,
        "253b610bd786f2543252c8d4b45bb40eb375882587f825cb9ce1fd1241f66f1e"
    );
    assert_ne!(content_hash("# x\n"), content_hash("# x\n\n"));
}

#[test]
fn json_round_trip() {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/alert-disk-pressure.md"
    ))
    .expect("fixture");
    let rb = ok(&src);
    let json = serde_json::to_value(&rb).expect("to json");
    let back: Runbook = serde_json::from_value(json).expect("from json");
    assert_eq!(back, rb);
}

// ---- The alert runbook written for another tool ----

fn fixture() -> (String, Runbook) {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/alert-disk-pressure.md"
    ))
    .expect("fixture");
    let rb = parse(&src, "alert-disk-pressure.md").expect("parse");
    (src, rb)
}

/// All the text of the model: step texts and block sources.
fn model_text(rb: &Runbook) -> String {
    fn walk(step: &Step, src: &str, out: &mut String) {
        out.push_str(&src[step.marker_span.clone()]);
        out.push_str(&step.text);
        out.push('\n');
        for b in &step.blocks {
            out.push_str(&b.source);
            out.push('\n');
        }
        for sub in &step.substeps {
            walk(sub, src, out);
        }
    }
    let mut out = String::new();
    for s in &rb.sections {
        out.push_str(&rb.source[s.heading_span.clone()]);
        out.push('\n');
        for b in &s.blocks {
            out.push_str(&b.source);
            out.push('\n');
        }
        for step in &s.steps {
            walk(step, &rb.source, &mut out);
        }
    }
    out
}

#[test]
fn alert_runbook_for_another_tool_keeps_every_word() {
    let (src, rb) = fixture();
    check_invariants(&rb);
    assert_eq!(rb.title, "NodeDiskPressure");
    assert_eq!(rb.id, "alert-disk-pressure");
    let extra = &rb.front_matter.extra;
    for key in ["weight", "aliases", "draft", "categories", "params"] {
        assert!(extra.contains_key(key), "{key} kept");
    }
    assert_eq!(
        extra.get("aliases"),
        Some(&serde_json::json!([
            "/alerts/node-disk-pressure/",
            "/runbooks/disk-pressure/"
        ]))
    );

    let titles: Vec<&str> = rb.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        vec![
            "NodeDiskPressure",
            "Meaning",
            "Impact",
            "Diagnosis",
            "Mitigation"
        ]
    );
    assert_eq!(
        paths(&rb),
        vec!["1", "2", "2.1", "2.2", "2.2.1", "2.2.2", "3", "4", "5", "6"]
    );
    assert_eq!(step(&rb, "2.1").text, "Open a debug shell on the node.");
    assert_eq!(step(&rb, "4").task, Some(false));
    assert!(matches!(
        &step(&rb, "2.2").blocks[0].kind,
        BlockKind::Command { lang: Some(l), code } if l == "console" && code.contains("df -h")
    ));
    // The <details> section follows step 3 at section level, so it attaches there,
    // Markdown inside included.
    assert_eq!(
        kinds(&step(&rb, "3").blocks),
        vec!["html", "paragraph", "table", "paragraph", "html"]
    );
    assert_eq!(
        kinds(&step(&rb, "6").blocks),
        vec!["quote", "paragraph", "other"]
    );
    assert_eq!(
        kinds(&section(&rb, "NodeDiskPressure").blocks),
        vec!["html"]
    );

    // Every word of the body is in the model.
    let text = model_text(&rb);
    let body = &src[rb.front_matter.span.clone().expect("front matter").end..];
    for word in body.split_whitespace() {
        assert!(text.contains(word), "{word:?} lost");
    }
    for word in [
        "eviction thresholds",
        "imagefs.available",
        "crictl rmi --prune",
        "[guide]: https://docs.example.com/storage/node-disks",
        "Why does the kubelet evict",
        "refuses to admit new ones",
    ] {
        assert!(text.contains(word), "{word:?} lost");
    }
}

// ---- Errors ----

#[test]
fn empty_files_are_refused() {
    for src in ["", "   \n\n\t\n", "\u{feff}"] {
        assert_eq!(
            err(src).to_string(),
            "1:1: expected a Markdown runbook, found an empty file"
        );
    }
    assert_eq!(
        err("---\ntitle: x\n---\n\n").to_string(),
        "4:1: expected a Markdown runbook after the front matter, found nothing"
    );
}

#[test]
fn bad_yaml_front_matter() {
    let e = err("---\ntitle: ok\ntags: [a, b\nid: x\n---\n# H\n");
    assert_eq!(
        e.to_string(),
        "4:3: bad YAML front matter: did not find expected ',' or ']', while parsing a flow sequence at line 3 column 7"
    );
    let e = err("---\ntitle: ok\n  bad: indent\n---\n# H\n");
    assert_eq!(
        e.to_string(),
        "3:6: bad YAML front matter: mapping values are not allowed in this context"
    );
    let e = err("---\ntitle: [1, 2]\n---\n# H\n");
    assert_eq!(
        e.to_string(),
        "2:1: expected a string for \"title\", found a list"
    );
}

#[test]
fn bad_toml_front_matter() {
    let e = err("+++\ntitle = \"x\"\nweight = \n+++\n# H\n");
    assert_eq!((e.line, e.column), (3, 10), "{e}");
    assert!(e.expected.starts_with("bad TOML front matter: "), "{e}");
}

#[test]
fn unterminated_front_matter() {
    assert_eq!(
        err("---\ntitle: x\n# Heading\n").to_string(),
        "1:1: unterminated front matter: expected a line \"---\" closing the front matter opened here"
    );
    assert_eq!(
        err("+++\ntitle = \"x\"\n").to_string(),
        "1:1: unterminated front matter: expected a line \"+++\" closing the front matter opened here"
    );
}

/// A runbook with one probe fence, indented in a list item: the fence is on line 5,
/// its TOML starts on line 6 at column 3.
fn with_probe(toml: &str) -> String {
    let indented: Vec<String> = toml.lines().map(|l| format!("  {l}")).collect();
    format!(
        "# Checks\n\n- [ ] Check it\n\n  ```probe\n{}\n  ```\n",
        indented.join("\n")
    )
}

#[test]
fn probe_errors_point_into_the_file() {
    let cases: Vec<(&str, &str)> = vec![
        (
            "kind = \"htp\"\nurl = \"https://x\"",
            "6:3: unknown probe kind \"htp\": expected one of http, dns, tcp, tls",
        ),
        (
            "kind = \"http\"\nname = \"no url\"",
            "6:3: An http probe is missing \"url\": expected the URL to request, such as url = \"https://example.com/health\"",
        ),
        (
            "kind = \"http\"\nurl = \"ftp://files.example.com\"",
            "7:3: bad url \"ftp://files.example.com\": expected an http or https URL, found scheme \"ftp\"",
        ),
        (
            "kind = \"http\"\nurl = \"https://x\"\nexpect_statuss = 200",
            "8:3: unknown key \"expect_statuss\" in an http probe (did you mean \"expect_status\"?): expected one of kind, name, timeout, url, method, headers, body, expect_status, expect_body, expect_body_regex, expect_header, max_latency, follow_redirects, ca",
        ),
        (
            "kind = \"http\"\nurl = \"https://x\"\ntimeout = \"5 minutes\"",
            "8:3: bad duration \"5 minutes\" for \"timeout\": expected a duration such as \"500ms\", \"5s\", \"1m\" or \"1h\"",
        ),
        (
            "kind = \"tcp\"\naddress = \"db.example.com:65536\"",
            "7:3: bad address \"db.example.com:65536\": expected host:port, such as \"db.example.com:5432\" (port \"65536\" is not a number from 1 to 65535)",
        ),
        (
            "kind = \"dns\"\nquery = \"example.com\"\nrecord = \"AAA\"",
            "8:3: unknown record type \"AAA\": expected one of A, AAAA, CNAME, MX, TXT, NS, SOA",
        ),
        (
            "kind = \"http\"\nurl = \"https://x\"\nexpect_status = [200, 700]",
            "8:25: bad expect_status 700: expected an HTTP status from 100 to 599, or a list of them such as [200, 204]",
        ),
        (
            "kind = \"tls\"\naddress = \"x:443\"\nmin_days_left = \"14\"",
            "8:3: expected a whole number of days (0 or more) for \"min_days_left\", found \"14\"",
        ),
        (
            "name = \"what am I\"",
            "5:3: probe has no \"kind\": expected kind = one of http, dns, tcp, tls, such as kind = \"http\"",
        ),
    ];
    for (toml, expected) in cases {
        assert_eq!(err(&with_probe(toml)).to_string(), expected, "{toml}");
    }
}

#[test]
fn probe_toml_syntax_error() {
    let e = err(&with_probe("kind = \"http\"\nurl = \"https://x"));
    assert_eq!(e.line, 7, "{e}");
    assert!(e.expected.starts_with("bad probe TOML: "), "{e}");
    // At the top level, without indentation.
    let e = err("# P\n\n```probe\nkind = http\n```\n");
    assert_eq!((e.line, e.column), (4, 8), "{e}");
    assert!(e.expected.starts_with("bad probe TOML: "), "{e}");
}

#[test]
fn error_display_is_line_col_message() {
    let e = err("# P\n```probe\nkind = \"x\"\n```\n");
    assert_eq!(
        e.to_string(),
        "3:1: unknown probe kind \"x\": expected one of http, dns, tcp, tls"
    );
}
