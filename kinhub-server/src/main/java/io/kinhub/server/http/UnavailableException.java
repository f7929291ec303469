package io.kinhub.server.http;

/**
 * A dependency (PostgreSQL, Redis) could not serve the request; mapped to {@code 503 unavailable}.
 */
public final class UnavailableException extends KinhubException {
  private final String dependency;

  public UnavailableException(String dependency, String message, Throwable cause) {
    super(message, cause);
    this.dependency = dependency;
  }

  public String dependency() {
    return dependency;
  }
}
