package io.kinhub.redis.connection;

/**
 * Which Redis a process talks to, as shown on {@code /health} and in node heartbeats, so that a
 * node still bound to an old Redis is visible.
 *
 * @param mode {@code standalone}, {@code sentinel} or {@code cluster}
 * @param endpoint {@code host:port}, the Sentinel master name, or a cluster's seed nodes ({@code
 *     host:port,host:port})
 * @param runId the server's {@code run_id} from {@code INFO server}; for a cluster a stable digest
 *     of the ids of all its nodes ({@code CLUSTER NODES}), which a failover inside the cluster does
 *     not change; empty while unknown
 */
public record RedisIdentity(String mode, String endpoint, String runId) {}
