package io.kinhub.server.config;

import java.util.ArrayList;
import java.util.List;

/** The README's configuration table, generated from the {@link Variables} declarations. */
public final class ConfigDocs {
  private ConfigDocs() {}

  /**
   * The Markdown table: one row per variable, in declaration order; a default of none is written
   * {@code —}.
   */
  public static List<String> markdownTable() {
    List<String> lines = new ArrayList<>();
    lines.add("| variable | default | meaning |");
    lines.add("|---|---|---|");
    for (Variable<?> v : Variables.ALL) {
      String value = v.defaultText().isEmpty() ? "—" : "`" + v.defaultText() + "`";
      lines.add("| `" + v.name() + "` | " + value + " | " + v.doc() + " |");
    }
    return lines;
  }
}
