-- "Received" and "read" marks, per side: the highest sequence number of the other side's
-- messages that this side's device received, and that it showed to the person. No content.
ALTER TABLE conversations ADD COLUMN visitor_received_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN visitor_read_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN officer_received_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN officer_read_seq INTEGER NOT NULL DEFAULT 0;
