//! Whether the server takes more: room in the queue for a new conversation, and a database
//! that answers.

use super::*;

impl ChatService {
    /// Refuses a new conversation (`queue_full`) when `max_waiting` are already waiting.
    pub async fn check_queue_room(&self, max_waiting: u32) -> Result<(), ApiError> {
        // Counted in the database, not in the queue snapshot, which may lag by a few
        // milliseconds. Starts racing at the same instant may pass the cap by as many as are in
        // flight.
        if self.store.count_waiting().await? >= u64::from(max_waiting) {
            return Err(ApiError::QueueFull);
        }
        Ok(())
    }

    /// Takes one more message to write, or refuses it (`overloaded`, with when to send it
    /// again) while more are in flight than the server answers within the configured wait
    /// ([`gate`]). The permit is given back once the sender has the message's outcome.
    pub fn admit_message(&self) -> Result<gate::Permit, ApiError> {
        self.gate.admit().map_err(|o| ApiError::Overloaded {
            retry_after_ms: u64::try_from(o.retry_after.as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// Whether the database answers.
    pub async fn ready(&self) -> Result<(), ApiError> {
        Ok(self.store.ping().await?)
    }
}
