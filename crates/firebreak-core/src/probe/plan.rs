//! Which probes a "run" means, filled and checked before anything touches the network.
//!
//! A plan is pure: the incident's runs with their pinned runbooks, what was selected
//! (one step, one section, everything) and the variables go in; the probes come out
//! with their placeholders filled, the names nothing filled, and the hosts that need the
//! user's say-so. The CLI prints it for `--dry-run`, asks about the sensitive hosts,
//! then hands the specs to the engine.

use super::record::step_probe_key;
use super::safety::{SensitiveHost, sensitive_hosts};
use super::variables::{VariableSource, Variables};
use crate::event::StepTarget;
use crate::ids::RunId;
use crate::runbook::placeholder::fill;
use crate::runbook::{Block, BlockKind, ProbeSpec, Runbook, Section, Step};
use crate::views::RunInfo;
use serde::Serialize;
use std::collections::BTreeMap;

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeSelection {
    /// Every probe of every run.
    All,
    /// The probes of one step and its sub-steps.
    Step(StepTarget),
    /// The probes of one section (its index in the runbook's `sections`).
    Section { run: RunId, section: usize },
}

/// One probe ready to run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedProbe {
    /// The probe's key in the log (see `ProbeRecord::key`).
    pub key: String,
    pub runbook_id: String,
    pub step: StepTarget,
    /// The step's text, placeholders filled.
    pub step_text: String,
    /// The section the step is in.
    pub section: String,
    /// The line of the probe block in the runbook.
    pub line: u32,
    /// The spec with every known placeholder filled.
    pub spec: ProbeSpec,
    /// Placeholder names nothing filled; the probe cannot run until they are.
    pub missing: Vec<String>,
    /// Hosts that are loopback, link-local or cloud metadata.
    pub sensitive: Vec<SensitiveHost>,
    /// Where each filled placeholder's value came from.
    pub filled_from: BTreeMap<String, VariableSource>,
}

impl PlannedProbe {
    /// The probe's label: its name, else its target.
    pub fn label(&self) -> String {
        self.spec
            .name
            .clone()
            .unwrap_or_else(|| self.spec.target_text())
    }
}

/// The probes `selection` means, in runbook order. `variables_for` gives the variables
/// of one run (the incident's and the profile's over that runbook's defaults).
pub fn plan_probes(
    runs: &[(&RunInfo, &Runbook)],
    selection: &ProbeSelection,
    variables_for: impl Fn(&Runbook) -> Variables,
) -> Vec<PlannedProbe> {
    let mut planned = Vec::new();
    for (run, runbook) in runs {
        let wanted_run = match selection {
            ProbeSelection::All => true,
            ProbeSelection::Step(target) => target.run == run.run,
            ProbeSelection::Section { run: r, .. } => *r == run.run,
        };
        if !wanted_run {
            continue;
        }
        let variables = variables_for(runbook);
        for (index, section) in runbook.sections.iter().enumerate() {
            if let ProbeSelection::Section { section: s, .. } = selection
                && *s != index
            {
                continue;
            }
            for step in &section.steps {
                walk(step, &mut |step: &Step| {
                    let selected = match selection {
                        ProbeSelection::Step(target) => step.path.0.starts_with(&target.step.0),
                        _ => true,
                    };
                    if selected {
                        plan_step(run, runbook, section, step, &variables, &mut planned);
                    }
                });
            }
        }
    }
    planned
}

fn walk(step: &Step, f: &mut dyn FnMut(&Step)) {
    f(step);
    for sub in &step.substeps {
        walk(sub, f);
    }
}

fn probe_blocks(blocks: &[Block]) -> impl Iterator<Item = (&ProbeSpec, u32)> {
    blocks.iter().filter_map(|b| match &b.kind {
        BlockKind::Probe { spec } => Some((spec, b.line)),
        _ => None,
    })
}

fn plan_step(
    run: &RunInfo,
    runbook: &Runbook,
    section: &Section,
    step: &Step,
    variables: &Variables,
    out: &mut Vec<PlannedProbe>,
) {
    let fill_text = |text: &str| fill(text, |name| variables.get(name)).text;
    for (i, (spec, line)) in probe_blocks(&step.blocks).enumerate() {
        let (filled, missing) = spec.fill(|name| variables.get(name));
        let filled_from = spec
            .placeholders()
            .into_iter()
            .filter_map(|name| {
                variables
                    .lookup(&name)
                    .map(|(_, source)| (name.clone(), source.clone()))
            })
            .collect();
        let sensitive = if missing.is_empty() {
            sensitive_hosts(&filled)
        } else {
            Vec::new()
        };
        out.push(PlannedProbe {
            key: step_probe_key(&runbook.id, &step.path.to_string(), i),
            runbook_id: runbook.id.clone(),
            step: StepTarget {
                run: run.run,
                step: step.path.clone(),
            },
            step_text: fill_text(&step.text),
            section: fill_text(&section.title),
            line,
            spec: filled,
            missing,
            sensitive,
            filled_from,
        });
    }
}

/// The variables of one run: the incident's, then the profile's, then the runbook's
/// defaults.
pub fn run_variables(
    incident: &BTreeMap<String, String>,
    profile: Option<(&str, &BTreeMap<String, String>)>,
    runbook: &Runbook,
) -> Variables {
    let mut vars = Variables::new().with(VariableSource::Incident, incident.clone());
    if let Some((name, values)) = profile {
        vars = vars.with(VariableSource::Profile(name.to_string()), values.clone());
    }
    vars.with(
        VariableSource::Runbook(runbook.id.clone()),
        runbook.front_matter.variables.clone(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::RunId;
    use crate::runbook::parse;
    use crate::runbook::probe_spec::ProbeTarget;
    use chrono::Utc;

    const RUNBOOK: &str = r#"---
id: svc
variables:
  api: https://api.example.com
  db: db.example.com:5432
---
# Check

1. Is the API up?

   ```probe
   kind = "http"
   name = "API"
   url = "{{ api }}/health"
   ```

   ```probe
   kind = "tcp"
   address = "{{ db }}"
   ```

   - Sub-step with a DNS probe

     ```probe
     kind = "dns"
     query = "{{ host }}"
     ```

# Later

2. Metadata

   ```probe
   kind = "http"
   url = "http://169.254.169.254/latest/meta-data/"
   ```
"#;

    fn fixture() -> (RunInfo, Runbook) {
        let runbook = parse(RUNBOOK, "svc").expect("parses");
        let run = RunInfo {
            run: RunId::new_v7(),
            runbook_id: runbook.id.clone(),
            title: runbook.title.clone(),
            content_hash: runbook.content_hash.clone(),
            started_at: Utc::now(),
            started_by: "alice".into(),
        };
        (run, runbook)
    }

    fn url_of(spec: &ProbeSpec) -> String {
        match &spec.target {
            ProbeTarget::Http(h) => h.url.clone(),
            _ => spec.target_text(),
        }
    }

    #[test]
    fn everything_in_runbook_order_with_stable_keys() {
        let (run, runbook) = fixture();
        let incident = BTreeMap::from([("api".to_string(), "http://127.0.0.1:9".to_string())]);
        let plan = plan_probes(&[(&run, &runbook)], &ProbeSelection::All, |rb| {
            run_variables(&incident, None, rb)
        });
        let keys: Vec<&str> = plan.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["svc:1#1", "svc:1#2", "svc:1.1#1", "svc:2#1"]);
        assert_eq!(url_of(&plan[0].spec), "http://127.0.0.1:9/health");
        assert_eq!(plan[0].filled_from["api"], VariableSource::Incident);
        assert_eq!(plan[1].spec.target_text(), "db.example.com:5432");
        assert_eq!(
            plan[1].filled_from["db"],
            VariableSource::Runbook("svc".into())
        );
        assert_eq!(plan[2].missing, ["host"]);
        assert!(plan[0].sensitive.iter().any(|s| s.host == "127.0.0.1"));
        assert!(plan[1].sensitive.is_empty());
        assert_eq!(
            plan[3].sensitive.len(),
            1,
            "the metadata address is flagged"
        );
    }

    #[test]
    fn a_profile_sits_between_the_incident_and_the_runbook() {
        let (run, runbook) = fixture();
        let profile = BTreeMap::from([
            ("api".to_string(), "https://staging.test".to_string()),
            ("db".to_string(), "127.0.0.1:5432".to_string()),
        ]);
        let incident = BTreeMap::from([("api".to_string(), "http://127.0.0.1:9".to_string())]);
        let plan = plan_probes(&[(&run, &runbook)], &ProbeSelection::All, |rb| {
            run_variables(&incident, Some(("staging", &profile)), rb)
        });
        assert_eq!(url_of(&plan[0].spec), "http://127.0.0.1:9/health");
        assert_eq!(plan[1].spec.target_text(), "127.0.0.1:5432");
        assert_eq!(
            plan[1].filled_from["db"],
            VariableSource::Profile("staging".into())
        );
    }

    #[test]
    fn a_step_takes_its_substeps_and_a_section_only_its_own() {
        let (run, runbook) = fixture();
        let none = BTreeMap::new();
        let vars = |rb: &Runbook| run_variables(&none, None, rb);
        let step = ProbeSelection::Step(StepTarget {
            run: run.run,
            step: "1".parse().expect("path"),
        });
        let keys: Vec<String> = plan_probes(&[(&run, &runbook)], &step, vars)
            .into_iter()
            .map(|p| p.key)
            .collect();
        assert_eq!(keys, ["svc:1#1", "svc:1#2", "svc:1.1#1"]);
        let later = runbook
            .sections
            .iter()
            .position(|s| s.title == "Later")
            .expect("section");
        let section = ProbeSelection::Section {
            run: run.run,
            section: later,
        };
        let keys: Vec<String> = plan_probes(&[(&run, &runbook)], &section, vars)
            .into_iter()
            .map(|p| p.key)
            .collect();
        assert_eq!(keys, ["svc:2#1"]);
        let other_run = ProbeSelection::Step(StepTarget {
            run: RunId::new_v7(),
            step: "1".parse().expect("path"),
        });
        assert!(plan_probes(&[(&run, &runbook)], &other_run, vars).is_empty());
    }
}
