-- The force table gains commune rows (docs/ROUTING.md): a place is a five-digit postal code
-- or a département code, and a chat's force is its postal code's row if there is one, else its
-- département's. The postal code itself is never stored with a chat.
CREATE TABLE forces (
    place TEXT PRIMARY KEY,
    force TEXT NOT NULL CHECK (force IN ('police', 'gendarmerie'))
) STRICT;
INSERT INTO forces (place, force) SELECT departement, force FROM departement_forces;
DROP TABLE departement_forces;

-- The local unit proposed for forwarding, chosen at start from the force and the visitor's
-- postal code or département (NULL: none covers it, the officer chooses). No reference to
-- `units`: the directory is replaced whole, and a chat keeps the id it was proposed.
ALTER TABLE conversations ADD COLUMN proposed_unit TEXT;
