-- The officer's record of a chat (qualification form, forwarding to a local unit), as JSON
-- sealed with the chat's data key: deleted with the chat, unreadable once its key is gone.
ALTER TABLE conversations ADD COLUMN case_file BLOB;
