package io.kinhub.server.system;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kinhub} command line. */
@Command(name = "kinhub", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Kinhub: family & clan platform with an authentication and session service on Redis and PostgreSQL.",
    subcommands = {Main.Serve.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    int exit = new CommandLine(new Main()).execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** Starts one node with the configuration from the environment. */
  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = {"Start one Kinhub node.", "",
          "Configuration comes from KINHUB_* environment variables (see the README). Without KINHUB_REDIS_URL and",
          "KINHUB_DATABASE_URL, an embedded Redis and PostgreSQL are started with their data in KINHUB_DATA_DIR."})
  static final class Serve implements Callable<Integer> {
    @Override
    public Integer call() {
      Config config;
      try {
        config = Config.from(System.getenv());
      } catch (Config.InvalidConfigException e) {
        System.err.println("kinhub: " + e.getMessage());
        return 2;
      }
      Kinhub kinhub;
      try {
        kinhub = Kinhub.start(config);
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(Main.class).error("Kinhub could not start: {}", e.getMessage(), e);
        System.err.println("kinhub: could not start: " + e.getMessage());
        // non-daemon threads of half-started libraries must not keep the JVM alive
        System.exit(1);
        return 1;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        kinhub.close();
        stopped.countDown();
      }, "kinhub-shutdown"));
      System.out.println("Kinhub is running at " + kinhub.baseUrl() + " (Ctrl-C stops it)");
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 0;
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"kinhub " + (v == null ? "dev" : v)};
    }
  }

}
