package io.kinhub.redis.ratelimit;

/**
 * One bucket in a decision.
 *
 * @param name the policy name clients see in {@code RateLimit} headers, e.g. {@code "ip-hour"}
 * @param key identifies the bucket within its group, e.g. {@code "ip:203.0.113.9"}
 * @param bandwidth its shape
 */
public record Bucket(String name, String key, Bandwidth bandwidth) {}
