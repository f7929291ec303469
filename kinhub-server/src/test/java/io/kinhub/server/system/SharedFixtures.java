package io.kinhub.server.system;

import java.nio.file.Path;

/**
 * The GEDCOM fixtures of ../shared/fixtures/gedcom, next to the repository (tests run in the
 * kinhub-server module directory), or the folder named by {@code KINHUB_GEDCOM_FIXTURES}. Tests
 * read them in place and never copy them; a test that needs them is skipped, saying so, when the
 * folder is absent.
 */
public final class SharedFixtures {
  private SharedFixtures() {}

  public static Path gedcomDir() {
    String override = System.getenv("KINHUB_GEDCOM_FIXTURES");
    return (override != null
            ? Path.of(override)
            : Path.of("..", "..", "shared", "fixtures", "gedcom"))
        .toAbsolutePath()
        .normalize();
  }
}
