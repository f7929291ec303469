package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration table lists every variable the server reads, with its default. */
class ReadmeTest {

  @Test
  void configurationTable_listsEveryVariableWithItsDefault() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    Config.VARIABLES.forEach((name, spec) -> {
      String row = readme.lines().filter(l -> l.startsWith("| `" + name + "` |")).findFirst()
          .orElseThrow(() -> new AssertionError("README has no row for " + name));
      if (!spec[0].isEmpty()) {
        assertThat(row).as(name).contains("`" + spec[0] + "`");
      }
    });
  }
}
