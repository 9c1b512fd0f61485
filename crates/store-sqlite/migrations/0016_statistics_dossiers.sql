-- The forwarded report's later life in the statistics record (issue 20, docs/STATISTICS.md):
-- its latest state and its time to first contact, kept up to date while the chat exists.
ALTER TABLE chat_statistics ADD COLUMN dossier_state TEXT CHECK (dossier_state IN
    ('sent', 'received', 'contact_attempted', 'contacted', 'appointment_set',
     'complaint_taken', 'could_not_reach', 'closed', 'withdrawn'));
ALTER TABLE chat_statistics ADD COLUMN first_contact TEXT CHECK (first_contact IN
    ('lt1d', '1-3d', '3-7d', 'ge7d'));

-- Which statistics row belongs to a forwarded chat, so that the dossier's changes reach it:
-- the row's id sealed with the chat's own data key (only the master key's holder can follow
-- it; the row's facts are in clear). The link lives only as long as the chat: the purge
-- deletes it with the conversation.
CREATE TABLE statistics_links (
    conversation_id      TEXT PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    sealed_statistics_id BLOB NOT NULL
) STRICT;
