-- How many chats an officer may hold at once (claimed and not yet closed).
ALTER TABLE users ADD COLUMN capacity INTEGER NOT NULL DEFAULT 3 CHECK (capacity BETWEEN 1 AND 20);
