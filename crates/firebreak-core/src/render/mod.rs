//! Rendering views into documents people read. Pure: values in, text out.

mod duration;
mod incident_markdown;
mod markdown_html;
mod timeline_line;

pub use duration::human_duration;
pub use incident_markdown::{IncidentReport, incident_markdown};
pub use markdown_html::{inline_markdown_to_safe_html, markdown_to_safe_html};
pub(crate) use timeline_line::one_line;
pub use timeline_line::{TimelineLine, timeline_line};
