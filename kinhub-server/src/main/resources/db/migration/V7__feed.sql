-- The family feed. Post and comment ids come from Redis (time-ordered, unique across nodes): the id sorts by
-- creation time, so "newest first" is "id descending" everywhere (PostgreSQL, the Redis timelines, cursors).
CREATE TABLE post (
    id             BIGINT      PRIMARY KEY,
    family_id      BIGINT      NOT NULL REFERENCES family (id) ON DELETE CASCADE,
    author_id      BIGINT      NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    text           TEXT        NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    -- counters are kept exact in Redis and copied here in batches (absolute values, so a repeated flush is harmless)
    like_count     BIGINT      NOT NULL DEFAULT 0,
    comment_count  BIGINT      NOT NULL DEFAULT 0,
    view_count     BIGINT      NOT NULL DEFAULT 0,
    CONSTRAINT post_text_length CHECK (char_length(text) BETWEEN 1 AND 5000)
);
CREATE INDEX post_family ON post (family_id, id DESC);
CREATE INDEX post_author ON post (author_id, id DESC);

CREATE TABLE post_comment (
    id          BIGINT      PRIMARY KEY,
    post_id     BIGINT      NOT NULL REFERENCES post (id) ON DELETE CASCADE,
    author_id   BIGINT      NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    text        TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT post_comment_text_length CHECK (char_length(text) BETWEEN 1 AND 2000)
);
CREATE INDEX post_comment_post ON post_comment (post_id, id DESC);

-- Who likes what: the source the Redis like sets are rebuilt from, and what makes a like idempotent per user.
CREATE TABLE post_like (
    post_id     BIGINT NOT NULL REFERENCES post (id) ON DELETE CASCADE,
    account_id  BIGINT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, account_id)
);

CREATE TABLE follow (
    follower_id  BIGINT      NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    followee_id  BIGINT      NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (follower_id, followee_id),
    CONSTRAINT follow_not_self CHECK (follower_id <> followee_id)
);
CREATE INDEX follow_followee ON follow (followee_id);

CREATE TABLE notification (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  BIGINT      NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    kind        TEXT        NOT NULL,
    actor_id    BIGINT      NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    post_id     BIGINT      NOT NULL REFERENCES post (id) ON DELETE CASCADE,
    comment_id  BIGINT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    read_at     TIMESTAMPTZ,
    CONSTRAINT notification_kind CHECK (kind IN ('comment', 'like'))
);
CREATE INDEX notification_account ON notification (account_id, id DESC);
CREATE INDEX notification_unread ON notification (account_id) WHERE read_at IS NULL;
