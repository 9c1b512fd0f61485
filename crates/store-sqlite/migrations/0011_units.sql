-- The directory of local units that receive forwarded reports, loaded whole from its data file
-- (`ecoute units load`, format in share/units.sample.txt). The id names the unit in dossiers.
CREATE TABLE units (
    id     TEXT PRIMARY KEY,
    force  TEXT NOT NULL CHECK (force IN ('police', 'gendarmerie')),
    kind   TEXT NOT NULL CHECK (kind IN ('commissariat', 'brigade', 'specialised')),
    name   TEXT NOT NULL,
    notify TEXT NOT NULL
) STRICT;

-- The places a unit answers for, a postal code (5 digits) or a département code, in the order
-- of the file (`position`), so the directory reads back as it was loaded.
CREATE TABLE unit_coverage (
    unit_id  TEXT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    place    TEXT NOT NULL,
    PRIMARY KEY (unit_id, position),
    UNIQUE (unit_id, place)
) STRICT;
