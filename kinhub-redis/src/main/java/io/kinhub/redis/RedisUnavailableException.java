package io.kinhub.redis;

/**
 * Redis could not answer: the connection is down, a command timed out, or the server refused for
 * load. Callers map it to "service unavailable"; it never carries a Redis reply to the end user.
 */
public final class RedisUnavailableException extends RuntimeException {
  public RedisUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
