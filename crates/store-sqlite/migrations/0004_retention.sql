-- The purge job asks, once per retention rule, for the conversations whose period is over:
-- a range scan on one of these partial indexes, so a run that finds nothing costs a few
-- index lookups however large the table grows. `id` ends each key so that a listing can
-- resume after the last row it showed (keyset pagination).

-- Closed conversations: one period per outcome, counted from the closing.
CREATE INDEX conversations_closed_by_outcome ON conversations (outcome, closed_at, id)
    WHERE state = 'closed';

-- Conversations never closed (waiting, active, visitor left): counted from the creation.
CREATE INDEX conversations_unclosed_by_age ON conversations (created_at, id)
    WHERE state <> 'closed';
