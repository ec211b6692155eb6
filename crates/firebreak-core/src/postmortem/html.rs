//! The draft as one self-contained HTML page (no scripts, no remote styles), for
//! pasting into a wiki or attaching to a ticket. It is the Markdown rendered safely:
//! whatever people typed into a section is shown as text, never as markup.

use super::draft::PostmortemDraft;
use super::markdown::postmortem_markdown;
use crate::render::markdown_to_safe_html;

const STYLE: &str = "body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}\
h1{font-size:1.7rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}\
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}\
blockquote{margin:.5rem 0;padding:.4rem .8rem;border-left:4px solid #d4a72c;background:#fff8c5}\
code{background:#f6f8fa;padding:0 .2rem}";

pub fn postmortem_html(draft: &PostmortemDraft) -> String {
    let body = markdown_to_safe_html(&postmortem_markdown(draft));
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Post-mortem: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(draft.title.trim())
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
