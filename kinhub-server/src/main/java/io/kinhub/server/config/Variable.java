package io.kinhub.server.config;

import java.util.Map;
import java.util.function.Function;

/**
 * One {@code KINHUB_*} environment variable, declared once in {@link Variables}: its name, its
 * default (as text, empty for none), what it means (a line of the README's configuration table) and
 * how its text becomes a value.
 *
 * @param name the variable's name
 * @param defaultText the value used when the variable is unset or blank; empty: none
 * @param parser turns the text into the value, or throws {@link Config.InvalidConfigException}
 *     naming the variable
 * @param doc the README's description of the variable (Markdown)
 * @param <T> the parsed value's type
 */
public record Variable<T>(String name, String defaultText, Parser<T> parser, String doc) {

  /**
   * Turns a variable's text into its value; a bad text throws {@link
   * Config.InvalidConfigException}.
   */
  @FunctionalInterface
  public interface Parser<T> {
    /**
     * The value of {@code text}; {@code name} is the variable's, for the message of a bad value.
     */
    T parse(String name, String text);

    /** This parser with {@code f} applied to its result. */
    default <R> Parser<R> map(Function<? super T, ? extends R> f) {
      return (name, text) -> f.apply(parse(name, text));
    }
  }

  /** The variable's text in {@code env}, trimmed, or its default when it is unset or blank. */
  public String text(Map<String, String> env) {
    String value = env.get(name);
    return value == null || value.isBlank() ? defaultText : value.trim();
  }

  /** The variable's value in {@code env}, validated. */
  public T read(Map<String, String> env) {
    return parser.parse(name, text(env));
  }
}
