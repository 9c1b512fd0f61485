//! The directory of local units, as the forwarding of a report reads it: the whole list, and
//! the unit to propose for a place. Loading it is the command line's (`ecoute units load`).

use super::*;
use ecoute_domain::{Departement, PostalCode, Unit, unit_for};

impl ChatService {
    /// Every unit of the directory, by id; empty while none is loaded.
    pub async fn units(&self) -> Result<Vec<Unit>, ApiError> {
        Ok(self.store.units().await?)
    }

    /// The unit of `force` to propose for a place (the postal code before the département,
    /// as [`unit_for`] decides); `None` when no unit of that force covers it, or no directory
    /// is loaded: the officer then chooses.
    pub async fn proposed_unit(
        &self,
        force: Force,
        postal_code: Option<&PostalCode>,
        departement: Option<&Departement>,
    ) -> Result<Option<Unit>, ApiError> {
        // The whole directory is read on each call: a few hundred rows at most, read once per
        // start (when the chat has a place) and per forwarding, and always the directory in
        // force without any cache to invalidate.
        let units = self.store.units().await?;
        Ok(unit_for(&units, force, postal_code, departement).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::ReadyCodes;
    use ecoute_crypto::KeyFiles;
    use ecoute_domain::parse_units;

    /// With no directory nothing is proposed; once the sample is loaded, the unit that covers
    /// the postal code comes before the one that covers the département.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_proposed_unit_comes_from_the_stored_directory() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(
            ecoute_store_sqlite::SqliteStore::open(dir.path())
                .await
                .unwrap(),
        );
        let chat = ChatService::new(
            store.clone(),
            LocalBus::new(),
            LiveKeys::open(KeyFiles::new(dir.path().join("master.key"))).unwrap(),
            RiskRules::built_in(),
            std::time::Duration::from_secs(60),
            ReadyCodes::start(0).unwrap(),
        );
        let paris_11 = PostalCode::parse("75011").unwrap();
        let paris_15 = PostalCode::parse("75015").unwrap();
        assert!(chat.units().await.unwrap().is_empty());
        assert_eq!(
            chat.proposed_unit(Force::Police, Some(&paris_11), None)
                .await
                .unwrap(),
            None
        );
        let sample = parse_units(include_str!("../../../../share/units.sample.txt")).unwrap();
        store
            .load_units(&sample, NewAudit::system("units_loaded", now()))
            .await
            .unwrap();
        assert_eq!(chat.units().await.unwrap().len(), sample.len());
        let proposed = |code| chat.proposed_unit(Force::Police, Some(code), None);
        let by_code = proposed(&paris_11).await.unwrap().unwrap();
        assert_eq!(by_code.id.as_str(), "commissariat-paris-11");
        let by_departement = proposed(&paris_15).await.unwrap().unwrap();
        assert_eq!(by_departement.id.as_str(), "commissariat-paris");
        let mende = Departement::parse("48").unwrap();
        assert_eq!(
            chat.proposed_unit(Force::Police, None, Some(&mende))
                .await
                .unwrap(),
            None,
            "no police unit covers the Lozère"
        );
    }
}
