package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.config.Config;
import io.kinhub.server.config.ConfigDocs;
import io.kinhub.server.config.Variable;
import io.kinhub.server.config.Variables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table is the one generated from the variable declarations ({@code
 * ./kinhub config --markdown}), and every declared variable is one the server reads.
 */
class ReadmeTest {

  @Test
  void configurationTable_isTheOneGeneratedFromTheDeclarations() throws IOException {
    List<String> readme = Files.readAllLines(Path.of("..", "README.md"));
    int start = readme.indexOf("| variable | default | meaning |");
    assertThat(start).as("README's configuration table").isNotNegative();
    List<String> table =
        readme.subList(start, readme.size()).stream().takeWhile(l -> l.startsWith("|")).toList();
    assertThat(table)
        .as("README's configuration table (regenerate it with ./kinhub config --markdown)")
        .containsExactlyElementsOf(ConfigDocs.markdownTable());
  }

  @Test
  void everyDeclaredVariable_isReadByConfig() {
    Set<String> read = new LinkedHashSet<>();
    Map<String, String> env =
        new HashMap<>() {
          @Override
          public String get(Object key) {
            read.add((String) key);
            return super.get(key);
          }
        };
    Config.from(env);
    assertThat(read)
        .containsExactlyInAnyOrderElementsOf(Variables.ALL.stream().map(Variable::name).toList());
  }
}
