package io.kinhub.server.account;

import io.kinhub.server.backing.Database;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;

/** Accounts in PostgreSQL. */
public final class AccountStore {
  private static final String COLUMNS =
      "id, login, display_name, password_hash, credential_version";
  private static final RowMapper<Account> ROW =
      (rs, ctx) ->
          new Account(
              rs.getLong("id"),
              rs.getString("login"),
              rs.getString("display_name"),
              rs.getString("password_hash"),
              rs.getLong("credential_version"));

  private final Database db;

  public AccountStore(Database db) {
    this.db = db;
  }

  /** Inserts an account; empty when the login is taken. */
  public Optional<Account> create(String login, String displayName, String passwordHash) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "INSERT INTO account (login, display_name, password_hash, password_changed_at) VALUES (:login, :name, :hash, now())"
                        + " ON CONFLICT (login) DO NOTHING RETURNING "
                        + COLUMNS)
                .bind("login", login)
                .bind("name", displayName)
                .bind("hash", passwordHash)
                .map(ROW)
                .findOne());
  }

  public Optional<Account> findByLogin(String login) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT " + COLUMNS + " FROM account WHERE login = :login")
                .bind("login", login)
                .map(ROW)
                .findOne());
  }

  public Optional<Account> findById(long id) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT " + COLUMNS + " FROM account WHERE id = :id")
                .bind("id", id)
                .map(ROW)
                .findOne());
  }

  /**
   * Replaces the password hash only if it is still {@code expectedHash} (no lost update between two
   * concurrent changes) and returns the new credential version; empty when someone else changed it
   * first.
   */
  public Optional<Long> changePassword(long id, String expectedHash, String newHash) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "UPDATE account SET password_hash = :new, password_changed_at = now(), credential_version = credential_version + 1"
                        + " WHERE id = :id AND password_hash = :old RETURNING credential_version")
                .bind("id", id)
                .bind("old", expectedHash)
                .bind("new", newHash)
                .mapTo(Long.class)
                .findOne());
  }
}
