//! The statistics pages' figures: the rows of a period counted (`ecoute_domain::PeriodFigures`),
//! for supervisors and administrators only.
//!
//! Reading them is not audited. The audit log proves who read what of a conversation or a
//! person; a statistics row identifies neither (docs/STATISTICS.md), so a look at the counts
//! opens nothing the log exists to trace, and an entry per page view (each chart and table is
//! its own request) would bury the readings that matter. What leaves the service for the public
//! is the open-data export, which is audited where it is made.

use super::*;
use ecoute_domain::{Period, PeriodFigures};

impl ChatService {
    /// The figures of `period`; refused to anyone who does not supervise.
    pub async fn statistics(
        &self,
        reader: &User,
        period: Period,
    ) -> Result<PeriodFigures, ApiError> {
        if !supervision::supervises(reader.role) {
            return Err(ApiError::Forbidden);
        }
        let rows = self.store.statistics(period.from(), period.to()).await?;
        Ok(PeriodFigures::of(period, &rows))
    }
}
