package io.kinhub.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of Kinhub, checked on the compiled main classes of kinhub-server and
 * kinhub-redis: wiring sits on top, features below it, HTTP plumbing and backing services below
 * them, and nothing points back up.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.kinhub.server", "io.kinhub.redis");
  }

  /**
   * Every package is its own slice, sub-packages included ({@code tree} and {@code tree.gedcom} are
   * two), and no two of them import each other, directly or round about.
   */
  @Test
  void serverPackagesAreFreeOfCycles() {
    slices()
        .matching("io.kinhub.server.(**)")
        .namingSlices("$1")
        .should()
        .beFreeOfCycles()
        .check(classes);
  }

  @Test
  void toolkitPackagesAreFreeOfCycles() {
    slices()
        .matching("io.kinhub.redis.(**)")
        .namingSlices("$1")
        .should()
        .beFreeOfCycles()
        .check(classes);
  }

  @Test
  void onlyTheWiringImportsTheWiring() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.kinhub.server.app..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.kinhub.server.app..")
        .check(classes);
  }

  @Test
  void theToolkitKnowsNothingOfTheProduct() {
    noClasses()
        .that()
        .resideInAPackage("io.kinhub.redis..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.kinhub.server..")
        .check(classes);
  }

  @Test
  void nothingBelowTheWiringReadsTheConfiguration() {
    noClasses()
        .that()
        .resideOutsideOfPackages("io.kinhub.server.app..", "io.kinhub.server.config..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.kinhub.server.config..")
        .check(classes);
  }

  @Test
  void httpPlumbingKnowsNoFeatureNodeOrBackingService() {
    noClasses()
        .that()
        .resideInAPackage("io.kinhub.server.http..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.kinhub.server.app..",
            "io.kinhub.server.config..",
            "io.kinhub.server.node..",
            "io.kinhub.server.backing..",
            "io.kinhub.server.account..",
            "io.kinhub.server.session..",
            "io.kinhub.server.abuse..",
            "io.kinhub.server.sms..",
            "io.kinhub.server.qrlogin..",
            "io.kinhub.server.permission..",
            "io.kinhub.server.family..",
            "io.kinhub.server.tree..",
            "io.kinhub.server.genealogy..",
            "io.kinhub.server.feed..",
            "io.kinhub.server.web..")
        .check(classes);
  }

  @Test
  void storesKnowNoHttp() {
    noClasses()
        .that()
        .haveSimpleNameEndingWith("Store")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.javalin..", "io.kinhub.server.http..")
        .check(classes);
  }
}
