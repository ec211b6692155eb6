//! One timeline entry as a Markdown list item, shared by the incident export and the
//! hub's merged timeline so that both read the same:
//! `- **13:05:12** alice · observation — LB shows 0/4 healthy _(amended)_`.

/// What a timeline line shows.
#[derive(Debug, Clone, Copy)]
pub struct TimelineLine<'a> {
    /// The clock time, already formatted (`13:05:12`).
    pub clock: &'a str,
    pub author: &'a str,
    /// The entry's kind as people read it.
    pub kind: &'a str,
    pub text: &'a str,
    pub retracted: bool,
    pub retraction_reason: Option<&'a str>,
}

/// Keeps one line one line: a finding with a newline would otherwise break the list.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The list item, with `marks` (recorded at, amended, private, clock corrected) in
/// italics after the text; a retracted entry is struck through with its reason.
pub fn timeline_line(line: &TimelineLine<'_>, marks: &[String]) -> String {
    let text = if line.retracted {
        let reason = line
            .retraction_reason
            .map(|r| format!(": {}", one_line(r)))
            .unwrap_or_default();
        format!("~~{}~~ (retracted{reason})", one_line(line.text))
    } else {
        one_line(line.text)
    };
    let marks = if marks.is_empty() {
        String::new()
    } else {
        format!(" _({})_", marks.join(", "))
    };
    format!(
        "- **{}** {} · {} — {text}{marks}",
        line.clock,
        one_line(line.author),
        line.kind
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_reads_the_same_wherever_it_is_rendered() {
        let line = TimelineLine {
            clock: "13:05:12",
            author: "alice",
            kind: "observation",
            text: "LB shows\n0/4 healthy",
            retracted: false,
            retraction_reason: None,
        };
        assert_eq!(
            timeline_line(&line, &["amended".to_string()]),
            "- **13:05:12** alice · observation — LB shows 0/4 healthy _(amended)_"
        );
        let gone = TimelineLine {
            retracted: true,
            retraction_reason: Some("wrong cluster"),
            ..line
        };
        assert_eq!(
            timeline_line(&gone, &[]),
            "- **13:05:12** alice · observation — ~~LB shows 0/4 healthy~~ (retracted: wrong cluster)"
        );
    }
}
