package io.kinhub.server.account;

import io.kinhub.server.http.Problem;
import java.util.Locale;
import java.util.regex.Pattern;

/** Logins are an e-mail address (compared case-insensitively) or an E.164 phone number. */
public final class Logins {
  private static final Pattern PHONE = Pattern.compile("\\+[1-9][0-9]{6,14}");
  // a pragmatic address check: one @, a dotted domain of letters, digits and hyphens, no spaces
  private static final Pattern EMAIL =
      Pattern.compile(
          "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}");

  private Logins() {}

  /** Returns an E.164 phone number, or fails with {@code 400} on {@code field}. */
  public static String normalizePhone(String field, String raw) {
    String phone = raw.strip();
    if (PHONE.matcher(phone).matches()) {
      return phone;
    }
    throw Problem.invalid(
        field, "'" + field + "' must be a phone number in E.164 form (+4915112345678).");
  }

  /** Returns the canonical form of a login, or fails with {@code 400} on {@code field}. */
  public static String normalize(String field, String raw) {
    String login = raw.strip();
    if (PHONE.matcher(login).matches()) {
      return login;
    }
    if (login.length() <= 254
        && EMAIL.matcher(login).matches()
        && !login.contains("..")
        && !login.startsWith(".")
        && !login.contains(".@")) {
      return login.toLowerCase(Locale.ROOT);
    }
    throw Problem.invalid(
        field,
        "'"
            + field
            + "' must be an e-mail address or a phone number in E.164 form (+4915112345678).");
  }
}
