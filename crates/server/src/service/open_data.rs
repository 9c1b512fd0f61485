//! The open-data export of a period (docs/STATISTICS.md, "Open data"): the statistics record's
//! tables, suppressed together, each export audited. The console's button and
//! `ecoute stats export` both come here.

use super::*;
use ecoute_domain::{OpenData, Period, Threshold, open_data};

/// Reads the rows of `period`, builds its tables suppressed with `threshold`, and records who
/// exported what in the audit log before anything is handed out (`None`: the command line).
pub async fn export(
    store: &dyn Store,
    period: Period,
    threshold: Threshold,
    by: Option<&User>,
    at: OffsetDateTime,
) -> Result<OpenData, ApiError> {
    let rows = store.statistics(period.from(), period.to()).await?;
    let data = open_data(&rows, period.from(), period.to(), threshold);
    let audit = match by {
        Some(user) => NewAudit::by(user, "statistics_exported", at),
        None => NewAudit::system("statistics_exported", at),
    }
    .detail(format!(
        "{} to {}, threshold {}",
        period.from(),
        period.to(),
        threshold.get()
    ));
    store.append_audit(audit).await?;
    Ok(data)
}

impl ChatService {
    /// The open-data export of `period` for a supervisor or an admin; audited.
    pub async fn export_open_data(
        &self,
        period: Period,
        threshold: Threshold,
        by: &User,
    ) -> Result<OpenData, ApiError> {
        if !matches!(by.role, Role::Supervisor | Role::Admin) {
            return Err(ApiError::Forbidden);
        }
        export(
            &*self.store,
            period,
            threshold,
            Some(by),
            OffsetDateTime::now_utc(),
        )
        .await
    }
}

/// The name of the file that holds every figure of an export, one per line.
pub const LONG_FILE: &str = "open-data.csv";

/// Every figure of `data`, one per line (`table,row,column,value`): the form the button
/// downloads, and that data portals load best.
pub fn long_records(data: &OpenData) -> Vec<Vec<String>> {
    let mut out = vec![vec![
        "table".to_string(),
        "row".to_string(),
        "column".to_string(),
        "value".to_string(),
    ]];
    for table in &data.tables {
        let header = table.header();
        for record in table.records().into_iter().skip(1) {
            let key = record[0].clone();
            for (column, value) in header.iter().zip(&record).skip(1) {
                out.push(vec![
                    table.name.to_string(),
                    key.clone(),
                    column.clone(),
                    value.clone(),
                ]);
            }
        }
    }
    out
}

/// The files of an export, name and content: each table as `NAME.csv`, every figure in
/// [`LONG_FILE`], and `metadata.json` (the period, the threshold, the legend, the files).
pub fn files(data: &OpenData, generated_at: OffsetDateTime) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = data
        .tables
        .iter()
        .map(|t| (format!("{}.csv", t.name), crate::csv::write(&t.records())))
        .collect();
    files.push((
        LONG_FILE.to_string(),
        crate::csv::write(&long_records(data)),
    ));
    let threshold = data.threshold.get();
    let metadata = serde_json::json!({
        "from": data.from.to_string(),
        "to": data.to.to_string(),
        "weeks": "ISO 8601 weeks of Paris time, Monday to Sunday",
        "generated_at": generated_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        "threshold": threshold,
        "legend": {
            format!("<{threshold}"): format!("a count from 1 to {}, withheld", threshold - 1),
            "s": "withheld so that another withheld count cannot be worked out from the totals",
        },
        "chats": data.chats.to_string(),
        "tables": data.tables.iter().map(|t| format!("{}.csv", t.name)).collect::<Vec<_>>(),
        "all_figures": LONG_FILE,
        "documentation": "docs/STATISTICS.md",
    });
    files.push((
        "metadata.json".to_string(),
        serde_json::to_string_pretty(&metadata).expect("a JSON value serialises") + "\n",
    ));
    files
}
