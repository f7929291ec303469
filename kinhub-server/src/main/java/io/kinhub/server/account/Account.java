package io.kinhub.server.account;

/**
 * A person who can log in.
 *
 * @param passwordHash PHC-format Argon2id hash, or null for an account without a password (SMS
 *     login)
 * @param credentialVersion bumped on every password change
 */
public record Account(
    long id, String login, String displayName, String passwordHash, long credentialVersion) {

  /** The id as the API shows it: a string. */
  public String publicId() {
    return Long.toString(id);
  }
}
