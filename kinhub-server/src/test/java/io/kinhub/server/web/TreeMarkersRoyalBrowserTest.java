package io.kinhub.server.web;

import io.kinhub.server.system.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * TreeMarkersBrowserTest's checks on royal92.ged (3,010 persons, cousin marriages), read in place
 * from the fixtures folder; skipped, saying so, when it is absent.
 */
class TreeMarkersRoyalBrowserTest {

  @Test
  void royalCrossLinksGetMarkers_andViewSwitchesMovePersons() throws Exception {
    Path royal = SharedFixtures.gedcomDir().resolve("royal92.ged");
    Assumptions.assumeTrue(Files.exists(royal), "royal92.ged fixture absent");
    TreeMarkersBrowserTest.run(royal);
  }
}
