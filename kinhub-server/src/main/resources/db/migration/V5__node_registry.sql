-- The nodes of each deployment and the Redis each one talks to: written by every node's heartbeat, read by
-- /health (a node on another Redis than its peers is the stale-configuration incident) and by `kinhub admin nodes`.
-- A deployment is a Redis key prefix: deployments sharing one PostgreSQL (as tests do) are kept apart.
CREATE TABLE node_registry (
    deployment     text        NOT NULL,
    node_id        text        NOT NULL,
    instance       text        NOT NULL,
    redis_mode     text        NOT NULL,
    redis_endpoint text        NOT NULL,
    redis_run_id   text        NOT NULL,
    version        text        NOT NULL,
    started_at     timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL,
    draining       boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (deployment, node_id)
);
CREATE INDEX node_registry_last_seen ON node_registry (last_seen_at);
