package io.kinhub.server.http;

/**
 * Root of Kinhub's own unchecked exceptions; {@link Http} maps each kind to one HTTP status in one
 * place.
 */
public abstract sealed class KinhubException extends RuntimeException
    permits Problem, UnavailableException {
  protected KinhubException(String message, Throwable cause) {
    super(message, cause);
  }
}
