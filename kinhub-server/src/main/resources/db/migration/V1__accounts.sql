-- Accounts: one row per person who can log in. Sessions live in Redis only.
CREATE TABLE account (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login                TEXT        NOT NULL,
    display_name         TEXT        NOT NULL,
    password_hash        TEXT,
    password_changed_at  TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT account_login_unique UNIQUE (login),
    CONSTRAINT account_login_length CHECK (char_length(login) BETWEEN 3 AND 254),
    CONSTRAINT account_display_name_length CHECK (char_length(display_name) BETWEEN 1 AND 64)
);

-- Bumped on every password change; a login that verified an older password cannot create a session
-- after the change (checked in Redis by the session-create script).
ALTER TABLE account ADD COLUMN credential_version BIGINT NOT NULL DEFAULT 1;
