package io.kinhub.redis.connection;

/**
 * Which Redis a process talks to, as shown on {@code /health} and in node heartbeats, so that a node
 * still bound to an old Redis is visible.
 *
 * @param mode     {@code standalone} or {@code sentinel}
 * @param endpoint {@code host:port}, or the Sentinel master name
 * @param runId    the server's {@code run_id} from {@code INFO server}; empty while unknown
 */
public record RedisIdentity(String mode, String endpoint, String runId) {}
