//! Rendering views into documents people read. Pure: values in, text out.

mod duration;
mod incident_markdown;

pub use duration::human_duration;
pub use incident_markdown::{IncidentReport, incident_markdown};
