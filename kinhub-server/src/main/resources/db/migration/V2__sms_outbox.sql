-- Messages "sent" by the built-in outbox SMS provider (the embedded default): what a phone would receive.
CREATE TABLE sms_outbox (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id   TEXT        NOT NULL,
    phone    TEXT        NOT NULL,
    text     TEXT        NOT NULL,
    sent_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- a job delivered twice (worker died after the insert) stores its message once
    CONSTRAINT sms_outbox_job_unique UNIQUE (job_id)
);
CREATE INDEX sms_outbox_phone_sent ON sms_outbox (phone, sent_at DESC);
