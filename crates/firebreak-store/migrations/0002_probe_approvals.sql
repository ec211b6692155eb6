-- Hosts a user has allowed a runbook's probes to reach although they are loopback,
-- link-local or a cloud metadata service. Asked once per runbook and host; kept on
-- this device only (it is a decision about this machine, not evidence).
CREATE TABLE probe_approvals (
    runbook_id  TEXT NOT NULL,
    host        TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    PRIMARY KEY (runbook_id, host)
) WITHOUT ROWID;
