package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a newcomer does: clone the repository, run {@code ./kinhub serve} with only the machine's
 * default JDK 17 first on the PATH and no JAVA_HOME. The launcher must find a JDK >= 21 by itself,
 * build the jar, and start a node on the embedded Redis and PostgreSQL whose /health answers 200.
 * The clone is of this repository's committed state.
 */
class FreshCloneServeTest {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Duration HEALTHY_WITHIN = Duration.ofMinutes(8);

  @TempDir Path tmp;

  private static Path jdk17() throws IOException {
    try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
      return jdks.filter(
              p ->
                  p.getFileName().toString().contains("17")
                      && Files.isExecutable(p.resolve("bin/java")))
          .sorted(Comparator.comparing(Path::toString))
          .findFirst()
          .orElse(null);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void freshClone_servesWithJdk17FirstOnThePath_andNoJavaHome() throws Exception {
    Path jdk17 = jdk17();
    Assumptions.assumeTrue(jdk17 != null, "no JDK 17 under /usr/lib/jvm: nothing to prove here");
    Assumptions.assumeTrue(
        Files.isDirectory(REPO.resolve(".git")) || Files.isRegularFile(REPO.resolve(".git")),
        "not run from a git checkout");
    Path clone = tmp.resolve("kinhub");
    Process git =
        new ProcessBuilder("git", "clone", "--quiet", REPO.toString(), clone.toString())
            .redirectErrorStream(true)
            .start();
    String gitOutput = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(git.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(git.exitValue()).as(gitOutput).isZero();

    int port = freePort();
    Path log = tmp.resolve("serve.log");
    ProcessBuilder serve =
        new ProcessBuilder("bash", "./kinhub", "serve")
            .directory(clone.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = serve.environment();
    env.keySet()
        .removeIf(k -> k.startsWith("KINHUB_") || k.equals("JAVA_HOME") || k.startsWith("MAVEN_"));
    env.put("PATH", jdk17.resolve("bin") + ":/usr/local/bin:/usr/bin:/bin");
    env.put("KINHUB_HTTP_PORT", Integer.toString(port));
    env.put("KINHUB_DATA_DIR", tmp.resolve("data").toString());
    Process process = serve.start();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
            .timeout(Duration.ofSeconds(5))
            .build();
    int status = 0;
    try {
      long deadline = System.nanoTime() + HEALTHY_WITHIN.toNanos();
      while (System.nanoTime() < deadline && process.isAlive() && status != 200) {
        try {
          status = client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notYet) {
          status = 0;
        }
        if (status != 200) {
          Thread.sleep(1000);
        }
      }
    } finally {
      // SIGTERM to the launcher's process (the JVM it exec'ed, or the build still running) and its
      // children
      List<ProcessHandle> children = process.descendants().toList();
      process.destroy();
      children.forEach(ProcessHandle::destroy);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
      }
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(status)
        .as("GET /health of ./kinhub serve in a fresh clone; its output:\n" + output)
        .isEqualTo(200);
    assertThat(output)
        .as("the launcher names the JDK it chose")
        .containsPattern("Java (2[1-9]|[3-9][0-9])");
  }
}
