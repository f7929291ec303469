package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's {@code ./kinhub} launcher finds a JDK >= 21 by itself whatever {@code java}
 * comes first on the PATH, and says clearly when there is none. The JDKs here are fakes (a {@code
 * release} file and two scripts), so the test does not depend on what the machine has installed;
 * nothing is built or started.
 */
class LauncherTest {

  private static final Path LAUNCHER = Path.of("..", "kinhub").toAbsolutePath().normalize();

  @TempDir Path tmp;

  private record Run(int exit, String out, String err) {}

  /**
   * A fake JDK: bin/java and bin/javac; the version in {@code release}, or only in {@code java
   * -version}.
   */
  private Path jdk(String name, String version, boolean releaseFile) throws IOException {
    Path home = Files.createDirectories(tmp.resolve("jdks").resolve(name));
    Path bin = Files.createDirectories(home.resolve("bin"));
    for (String tool : List.of("java", "javac")) {
      Path script = bin.resolve(tool);
      Files.writeString(
          script, "#!/bin/sh\necho 'openjdk version \"" + version + "\" 2025-01-21' >&2\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    if (releaseFile) {
      Files.writeString(
          home.resolve("release"), "IMPLEMENTOR=\"Fake\"\nJAVA_VERSION=\"" + version + "\"\n");
    }
    return home;
  }

  /**
   * Runs the launcher with PATH's java being {@code pathJdk}'s and only {@code tmp/jdks/*}
   * searched.
   */
  private Run run(Path javaHome, Path pathJdk, String... args) throws Exception {
    Path pathBin = Files.createDirectories(tmp.resolve("path-bin"));
    Files.deleteIfExists(pathBin.resolve("java"));
    Files.createSymbolicLink(pathBin.resolve("java"), pathJdk.resolve("bin").resolve("java"));
    List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", pathBin + ":/usr/bin:/bin");
    env.put("HOME", tmp.toString());
    env.put("KINHUB_JDK_SEARCH_PATH", tmp.resolve("jdks") + "/*");
    if (javaHome != null) {
      env.put("JAVA_HOME", javaHome.toString());
    }
    pb.redirectOutput(tmp.resolve("out.txt").toFile())
        .redirectError(tmp.resolve("err.txt").toFile());
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the launcher did not finish within 60 s");
    }
    return new Run(
        p.exitValue(),
        Files.readString(tmp.resolve("out.txt"), StandardCharsets.UTF_8).strip(),
        Files.readString(tmp.resolve("err.txt"), StandardCharsets.UTF_8));
  }

  @Test
  void help_listsEveryCommand() throws Exception {
    Path jdk17 = jdk("jdk-17", "17.0.9", true);
    Run r = run(null, jdk17, "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("serve", "test", "admin", "bench", "jar", "KINHUB_JDK_SEARCH_PATH");
  }

  @Test
  void unknownCommand_isRefusedWithTheUsage() throws Exception {
    Run r = run(null, jdk("jdk-17", "17.0.9", true), "frobnicate");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("unknown command 'frobnicate'", "Usage:");
  }

  @Test
  void noJdk21Anywhere_failsWithOneMessageNamingWhatItFound() throws Exception {
    Path jdk17 = jdk("jdk-17", "17.0.9", true);
    Path jdk11 = jdk("jdk-11", "11.0.2", false);
    for (String command : List.of("jdk", "serve", "test")) {
      Run r = run(jdk11, jdk17, command);
      assertThat(r.exit()).as(command).isEqualTo(1);
      assertThat(r.out()).as(command).isEmpty();
      assertThat(r.err())
          .as(command)
          .contains(
              "no JDK 21 or newer found",
              "JAVA_HOME=" + jdk11 + ": Java 11",
              jdk17 + ": Java 17",
              "Install a JDK 21 or newer");
    }
  }

  @Test
  void javaHomeAndPathTooOld_theNewestJdkOfTheSearchPathIsUsed_withANote() throws Exception {
    Path jdk17 = jdk("jdk-17", "17.0.9", true);
    jdk("jdk-21", "21.0.5", true);
    Path jdk23 = jdk("jdk-23", "23", false);
    jdk("not-a-jdk", "99", true);
    Files.delete(tmp.resolve("jdks/not-a-jdk/bin/javac"));
    Run r = run(jdk17, jdk17, "jdk");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo(jdk23.toRealPath().toString());
    assertThat(r.err())
        .contains("using Java 23 at " + jdk23.toRealPath(), "JAVA_HOME=" + jdk17 + ": Java 17");
  }

  @Test
  void javaHome21_isUsedAsIs_andPathJava21_whenJavaHomeIsUnset() throws Exception {
    Path jdk17 = jdk("jdk-17", "17.0.9", true);
    Path jdk21 = jdk("jdk-21", "21.0.5", true);
    jdk("jdk-25", "25.0.1", true);
    Run fromJavaHome = run(jdk21, jdk17, "jdk");
    assertThat(fromJavaHome.exit()).isZero();
    assertThat(fromJavaHome.out()).isEqualTo(jdk21.toString());
    assertThat(fromJavaHome.err()).isEmpty();

    Run fromPath = run(null, jdk21, "jdk");
    assertThat(fromPath.exit()).isZero();
    assertThat(fromPath.out()).isEqualTo(jdk21.toRealPath().toString());
    assertThat(fromPath.err()).isEmpty();
  }
}
