package io.kinhub.bench;

import java.util.List;

/** A minimal Markdown writer for the report. */
final class Markdown {
  private final StringBuilder out = new StringBuilder();

  Markdown heading(int level, String text) {
    if (!out.isEmpty()) {
      out.append('\n');
    }
    out.append("#".repeat(level)).append(' ').append(text).append("\n\n");
    return this;
  }

  Markdown raw(String markdown) {
    out.append(markdown);
    return this;
  }

  Markdown paragraph(String text) {
    out.append(text).append("\n\n");
    return this;
  }

  Markdown bullet(String text) {
    out.append("- ").append(text).append('\n');
    return this;
  }

  Markdown end() {
    out.append('\n');
    return this;
  }

  Markdown code(String language, String text) {
    out.append("```")
        .append(language)
        .append('\n')
        .append(text.stripTrailing())
        .append("\n```\n\n");
    return this;
  }

  Markdown table(List<String> header, List<List<String>> rows) {
    row(header);
    out.append('|');
    for (int i = 0; i < header.size(); i++) {
      out.append("---|");
    }
    out.append('\n');
    for (List<String> r : rows) {
      row(r);
    }
    out.append('\n');
    return this;
  }

  private void row(List<String> cells) {
    out.append('|');
    for (String c : cells) {
      out.append(' ').append(c.replace("|", "\\|").replace("\n", " ")).append(" |");
    }
    out.append('\n');
  }

  Markdown append(Markdown other) {
    out.append(other.out);
    return this;
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
