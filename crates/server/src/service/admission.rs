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

    /// Whether the database answers.
    pub async fn ready(&self) -> Result<(), ApiError> {
        Ok(self.store.ping().await?)
    }
}
