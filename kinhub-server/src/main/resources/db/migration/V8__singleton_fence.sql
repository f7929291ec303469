-- Fenced writes of work that one node at a time does (io.kinhub.server.system.Singleton). Each task's row holds
-- the largest fencing token that has written for it; a transaction carrying a smaller one comes from a holder
-- whose Redis lock ran out while it was paused, and is rolled back.
CREATE TABLE singleton_fence (
    task        TEXT        PRIMARY KEY,
    fence       BIGINT      NOT NULL,
    node        TEXT        NOT NULL,
    written_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- the outbox is pruned by age
CREATE INDEX sms_outbox_sent ON sms_outbox (sent_at);
