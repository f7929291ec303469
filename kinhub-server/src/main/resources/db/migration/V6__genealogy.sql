-- Issue 16: privacy of the living, generations (字辈), the account ↔ person link and the change history.

-- Family settings. Changing them bumps tree_version, because they change what GET /tree shows.
ALTER TABLE family ADD COLUMN max_alive_age          INT  NOT NULL DEFAULT 120;
ALTER TABLE family ADD COLUMN show_living_names_to   TEXT NOT NULL DEFAULT 'members';
ALTER TABLE family ADD COLUMN founder_person_id      BIGINT REFERENCES person (id) ON DELETE SET NULL;
ALTER TABLE family ADD COLUMN generation_poem        TEXT;
ALTER TABLE family ADD COLUMN poem_start_generation  INT  NOT NULL DEFAULT 1;
ALTER TABLE family ADD CONSTRAINT family_max_alive_age CHECK (max_alive_age BETWEEN 1 AND 200);
ALTER TABLE family ADD CONSTRAINT family_show_living_names_to CHECK (show_living_names_to IN ('members', 'everyone'));
ALTER TABLE family ADD CONSTRAINT family_generation_poem_length CHECK (generation_poem IS NULL OR char_length(generation_poem) BETWEEN 1 AND 200);
ALTER TABLE family ADD CONSTRAINT family_poem_start CHECK (poem_start_generation BETWEEN 1 AND 1000);

-- Known to be dead without a death date (GEDCOM "1 DEAT Y", a burial, or set through the API).
ALTER TABLE person ADD COLUMN deceased BOOLEAN NOT NULL DEFAULT false;

-- Which person of a family's tree an account is ("me" in the relationship finder).
CREATE TABLE family_person_link (
    family_id   BIGINT NOT NULL REFERENCES family (id) ON DELETE CASCADE,
    account_id  BIGINT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    person_id   BIGINT NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    PRIMARY KEY (family_id, account_id)
);
CREATE INDEX family_person_link_person ON family_person_link (person_id);

-- Every change to persons and links, written in the transaction of the change.
CREATE TABLE person_change (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    family_id   BIGINT      NOT NULL REFERENCES family (id) ON DELETE CASCADE,
    person_id   BIGINT,                 -- null for a GEDCOM import; no foreign key: the person may be deleted
    account_id  BIGINT      REFERENCES account (id) ON DELETE SET NULL,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    kind        TEXT        NOT NULL,
    before      JSONB,
    after       JSONB,
    reverts     BIGINT,
    CONSTRAINT person_change_kind CHECK (kind IN ('create', 'update', 'delete', 'import', 'revert'))
);
CREATE INDEX person_change_family ON person_change (family_id, id DESC);
CREATE INDEX person_change_person ON person_change (family_id, person_id, id DESC);
