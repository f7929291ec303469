package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/api.md, the API in the project's own words, has one heading per operation of {@code
 * /openapi.json} and none for routes the document does not have; and the user-facing docs (README,
 * docs/, the benchmarks' README) link nothing outside the repository, so that a clone is complete.
 */
class ApiDocsTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options");
  private static final Pattern ROUTE_HEADING =
      Pattern.compile("^#{2,6} (GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS) (/\\S*)\\s*$");

  /**
   * Inline links and images {@code [text](target "title")}, reference definitions {@code [x]:
   * target}, HTML href/src.
   */
  private static final Pattern LINK =
      Pattern.compile(
          "\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)|^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s|$)|(?:href|src)=\"([^\"]+)\"",
          Pattern.MULTILINE);

  @Test
  void apiDoc_hasAHeadingForEveryOperationOfTheOpenApiDocument_andNoOther() throws IOException {
    Set<String> operations = new TreeSet<>();
    try (InputStream in = ApiDocsTest.class.getResourceAsStream("/openapi.json")) {
      JsonNode paths = new ObjectMapper().readTree(in).get("paths");
      paths
          .fields()
          .forEachRemaining(
              path ->
                  path.getValue()
                      .fieldNames()
                      .forEachRemaining(
                          method -> {
                            if (METHODS.contains(method)) {
                              operations.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
                            }
                          }));
    }
    List<String> headings = new ArrayList<>();
    for (String line : Files.readAllLines(ROOT.resolve("docs/api.md"))) {
      Matcher m = ROUTE_HEADING.matcher(line);
      if (m.matches()) {
        headings.add(m.group(1) + " " + m.group(2));
      }
    }

    assertThat(headings).as("route headings of docs/api.md").doesNotHaveDuplicates();
    Set<String> undocumented = new TreeSet<>(operations);
    undocumented.removeAll(headings);
    assertThat(undocumented)
        .as("operations of openapi.json without a heading in docs/api.md")
        .isEmpty();
    Set<String> unknown = new TreeSet<>(headings);
    unknown.removeAll(operations);
    assertThat(unknown).as("headings of docs/api.md naming no operation of openapi.json").isEmpty();
  }

  @Test
  void userDocs_linkNothingOutsideTheRepository() throws IOException {
    List<Path> files =
        new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("kinhub-bench/README.md")));
    try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    List<String> problems = new ArrayList<>();
    for (Path file : files) {
      String text = Files.readString(file);
      String name = ROOT.relativize(file).toString();
      if (text.contains("../shared")) {
        problems.add(name + " mentions ../shared");
      }
      Matcher m = LINK.matcher(text);
      while (m.find()) {
        String target =
            m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
        String problem = problem(file, target);
        if (problem != null) {
          problems.add(name + ": " + target + " " + problem);
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  /**
   * Why a link target is not fine, or null: web links and anchors are; files must exist inside the
   * repository.
   */
  private static String problem(Path from, String target) {
    if (target.startsWith("#") || target.matches("(?i)(https?|mailto):.*")) {
      return null;
    }
    if (target.matches("(?i)[a-z][a-z0-9+.-]*:.*")) {
      return "uses a scheme other than http(s) or mailto";
    }
    String path = target.replaceFirst("[#?].*$", "");
    if (path.startsWith("/")) {
      return "is an absolute path (outside any clone)";
    }
    Path resolved = from.getParent().resolve(path.replace("%20", " ")).normalize();
    if (!resolved.startsWith(ROOT)) {
      return "leaves the repository";
    }
    return Files.exists(resolved) ? null : "does not exist";
  }
}
