package io.kinhub.server.account;

import com.nulabinc.zxcvbn.Feedback;
import com.nulabinc.zxcvbn.Strength;
import com.nulabinc.zxcvbn.Zxcvbn;
import io.kinhub.server.http.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Refuses passwords that are common or easy to guess, by zxcvbn's estimate (Dropbox's algorithm,
 * nulab's Java port: dictionaries of common passwords, names and words, keyboard patterns,
 * sequences, repeats, dates, l33t). The account's own login and display name count as the first
 * words an attacker tries.
 *
 * <p>The bar is score 2 (at least 10^6 guesses): it refuses every listed common password, keyboard
 * walks, repeats, sequences and a name or word with a few digits, while online guessing beyond that
 * is stopped by the rate limits and the lockout. Score 3 would refuse even random 8-character
 * passwords (zxcvbn rates them 10^8, its boundary), which the contract's 8–128 character rule
 * allows.
 *
 * <p>The whole password is measured (a prefix would refuse strong long passwords that start
 * weakly). The work is bounded by the 128-character limit: 128 random digits, the worst input
 * found, took 60–90 ms on an idle core and up to 280 ms on the loaded 2-core build machine — the
 * order of the Argon2id hash that the same requests pay anyway, and both endpoints that measure are
 * rate limited per IP (and per user).
 */
public final class PasswordStrength {
  static final int MIN_SCORE = 2;

  // one instance: it holds only the immutable dictionaries; every measure builds its own matchers
  private final Zxcvbn zxcvbn = new Zxcvbn();

  /**
   * Fails with {@code 400 invalid_request} on {@code field}, saying why, when {@code password} is
   * too weak.
   */
  public void require(String field, String password, String login, String displayName) {
    Strength strength = zxcvbn.measure(password, userInputs(login, displayName));
    try {
      if (strength.getScore() >= MIN_SCORE) {
        return;
      }
      throw Problem.invalid(field, reason(field, strength.getFeedback()));
    } finally {
      strength.wipe();
    }
  }

  private static String reason(String field, Feedback feedback) {
    StringBuilder detail = new StringBuilder("'" + field + "' is too easy to guess");
    String warning = feedback.getWarning(Locale.ENGLISH);
    detail.append(warning == null || warning.isBlank() ? "." : ": " + warning);
    for (String suggestion : feedback.getSuggestions(Locale.ENGLISH)) {
      detail.append(' ').append(suggestion);
    }
    if (feedback.getSuggestions(Locale.ENGLISH).isEmpty()) {
      detail.append(" Use a few unrelated words or a longer, less predictable phrase.");
    }
    return detail.toString();
  }

  /**
   * The words about this account that an attacker tries first: the login, its parts, the display
   * name.
   */
  private static List<String> userInputs(String login, String displayName) {
    List<String> words = new ArrayList<>();
    words.add("kinhub");
    for (String text : new String[] {login, displayName}) {
      if (text == null || text.isBlank()) {
        continue;
      }
      String lower = text.toLowerCase(Locale.ROOT);
      words.add(lower);
      int at = lower.indexOf('@');
      if (at > 0) {
        words.add(lower.substring(0, at));
      }
      // letters and digits apart: "vonlindenau83489" is tried as "vonlindenau" too
      for (String separator : new String[] {"[^\\p{L}]+", "[^\\p{N}]+"}) {
        for (String part : lower.split(separator, -1)) {
          if (part.length() >= 3) {
            words.add(part);
          }
        }
      }
    }
    return words;
  }
}
