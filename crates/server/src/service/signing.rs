//! The dossier signing keys as the service publishes them.

use super::*;

impl ChatService {
    /// The public keys that check dossier signatures, current and retired, in the
    /// `ecoute-dossier-keys/1` format: public, no audit entry (nothing personal is read).
    pub async fn dossier_keys(&self) -> Result<ecoute_dossier::KeyList, ApiError> {
        crate::signing::key_list(&*self.store)
            .await
            .map_err(|e| match e {
                crate::signing::SigningError::Store(e) => e.into(),
                e => {
                    tracing::error!(error = %e, "cannot publish the dossier signing keys");
                    ApiError::Internal
                }
            })
    }
}
