//! Markdown to HTML for the desktop's previews, safely.
//!
//! Runbooks come from anywhere (a wiki export, another team's git), so raw HTML in them
//! must never become live markup in the app's webview: it is shown as text. Links keep
//! their text but lose their targets (the app loads no remote content, and a click
//! must not navigate the window away); images become their alt text.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// Renders Markdown (blocks) to HTML that carries no raw HTML, no links and no images.
pub fn markdown_to_safe_html(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, sanitize(Parser::new_ext(markdown, options())));
    out
}

/// Renders one line of inline Markdown (a step's text) without the `<p>` around it.
pub fn inline_markdown_to_safe_html(markdown: &str) -> String {
    let html = markdown_to_safe_html(markdown);
    let trimmed = html.trim_end();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|rest| rest.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html,
    }
}

fn sanitize<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    let mut in_image = 0usize;
    events.filter_map(move |event| match event {
        // Raw HTML is shown as the text it is.
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        // A link keeps its text; its target is dropped (no navigation, no remote loads).
        Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link) => None,
        // An image becomes its alt text.
        Event::Start(Tag::Image { .. }) => {
            in_image += 1;
            None
        }
        Event::End(TagEnd::Image) => {
            in_image = in_image.saturating_sub(1);
            None
        }
        Event::Text(text) if in_image > 0 => Some(Event::Text(CowStr::from(format!("[{text}]")))),
        other => Some(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_escaped_not_rendered() {
        let html = markdown_to_safe_html("<script>alert(1)</script>\n\nhi <b onclick=x>there</b>");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<b "), "{html}");
    }

    #[test]
    fn links_and_images_lose_their_targets() {
        let html = markdown_to_safe_html(
            "see [the dashboard](https://grafana.example.com) ![graph](http://x/y.png)",
        );
        assert!(!html.contains("href"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("the dashboard") && html.contains("[graph]"),
            "{html}"
        );
    }

    #[test]
    fn markdown_still_renders() {
        assert_eq!(
            inline_markdown_to_safe_html("Check **the LB** `health`"),
            "Check <strong>the LB</strong> <code>health</code>"
        );
        let table = markdown_to_safe_html("| a | b |\n| - | - |\n| 1 | 2 |\n");
        assert!(table.contains("<table>"), "{table}");
    }
}
