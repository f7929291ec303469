package io.kinhub.server.app;

import io.kinhub.server.config.Config;
import io.kinhub.server.config.ConfigDocs;
import io.kinhub.server.http.Problem;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kinhub} command line. */
@Command(
    name = "kinhub",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description =
        "Kinhub: family & clan platform with an authentication and session service on Redis and PostgreSQL.",
    subcommands = {
      Main.Serve.class,
      Main.AdminCommand.class,
      Main.ConfigCommand.class,
      CommandLine.HelpCommand.class
    })
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
  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description = {
        "Start one Kinhub node.",
        "",
        "Configuration comes from KINHUB_* environment variables (see the README). Without KINHUB_REDIS_URL and",
        "KINHUB_DATABASE_URL, an embedded Redis and PostgreSQL are started with their data in KINHUB_DATA_DIR."
      })
  static final class Serve implements Callable<Integer> {
    @Override
    public Integer call() {
      Config config;
      try {
        config = Config.from(environment);
      } catch (Config.InvalidConfigException e) {
        System.err.println("kinhub: " + e.getMessage());
        return 2;
      }
      Kinhub kinhub;
      try {
        kinhub = Kinhub.start(config);
      } catch (RuntimeException e) {
        LoggerFactory.getLogger(Main.class).error("Kinhub could not start: {}", e.getMessage(), e);
        System.err.println("kinhub: could not start: " + e.getMessage());
        // non-daemon threads of half-started libraries must not keep the JVM alive
        System.exit(1);
        return 1;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    kinhub.close();
                    stopped.countDown();
                  },
                  "kinhub-shutdown"));
      System.out.println("Kinhub is running at " + kinhub.baseUrl() + " (Ctrl-C stops it)");
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 0;
    }
  }

  /**
   * The configuration variables: checks the environment's, or prints the README's table of them.
   */
  @Command(
      name = "config",
      mixinStandardHelpOptions = true,
      description = {
        "Check the KINHUB_* variables of the environment (exit code 2 naming the first bad one),",
        "or with --markdown print the README's configuration table, generated from the declarations."
      })
  static final class ConfigCommand implements Callable<Integer> {
    @CommandLine.Option(
        names = "--markdown",
        description = "print the configuration table in Markdown")
    boolean markdown;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (markdown) {
        ConfigDocs.markdownTable().forEach(out::println);
        out.flush();
        return 0;
      }
      try {
        out.println("configuration is valid: " + Config.from(environment));
        out.flush();
        return 0;
      } catch (Config.InvalidConfigException e) {
        spec.commandLine().getErr().println("kinhub: " + e.getMessage());
        return 2;
      }
    }
  }

  /** Operator actions on the shared Redis and PostgreSQL. */
  @Command(
      name = "admin",
      mixinStandardHelpOptions = true,
      description = "Operator actions (configuration as for 'serve').",
      subcommands = {GrantSuperadmin.class, RevokeSuperadmin.class, Nodes.class})
  static final class AdminCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(System.out);
    }
  }

  @Command(
      name = "grant-superadmin",
      mixinStandardHelpOptions = true,
      description =
          "Make the account with this login a platform superadmin (read and delete any family).")
  static final class GrantSuperadmin implements Callable<Integer> {
    @CommandLine.Parameters(
        paramLabel = "<login>",
        description = "e-mail address or E.164 phone number")
    String login;

    @Override
    public Integer call() {
      return setSuperadmin(login, true);
    }
  }

  @Command(
      name = "revoke-superadmin",
      mixinStandardHelpOptions = true,
      description = "Take the superadmin role away again.")
  static final class RevokeSuperadmin implements Callable<Integer> {
    @CommandLine.Parameters(
        paramLabel = "<login>",
        description = "e-mail address or E.164 phone number")
    String login;

    @Override
    public Integer call() {
      return setSuperadmin(login, false);
    }
  }

  @Command(
      name = "nodes",
      mixinStandardHelpOptions = true,
      description = {
        "List the nodes of this deployment from the node registry in PostgreSQL: which Redis each one talks to,",
        "its version, when it started and when it was last seen. Exit code 0 when every live node talks to the same",
        "Redis, 3 when they do not (the stale-configuration incident), 1 or 2 when the registry cannot be read."
      })
  static final class Nodes implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Config config;
      try {
        config = Config.from(environment);
      } catch (Config.InvalidConfigException e) {
        err.println("kinhub: " + e.getMessage());
        return 2;
      }
      try (Admin admin = Admin.connect(config)) {
        var listing = admin.nodes();
        NodeTable table =
            NodeTable.of(listing.getKey(), listing.getValue(), config.node().staleAfter());
        out.print(table.text());
        out.flush();
        return table.consistent() ? 0 : 3;
      } catch (RuntimeException e) {
        err.println("kinhub: " + e.getMessage());
        return 1;
      }
    }
  }

  /**
   * Runs the change with the configuration from {@link #environment}; exit code 0, 1 (no such
   * account) or 2.
   */
  static int setSuperadmin(String login, boolean superadmin) {
    Config config;
    try {
      config = Config.from(environment);
    } catch (Config.InvalidConfigException e) {
      System.err.println("kinhub: " + e.getMessage());
      return 2;
    }
    try (Admin admin = Admin.connect(config)) {
      if (!admin.setSuperadmin(login, superadmin)) {
        System.err.println("kinhub: there is no account with the login " + login);
        return 1;
      }
      System.out.println(
          (superadmin ? "granted" : "revoked")
              + " superadmin: "
              + login
              + " (every node enforces it now)");
      return 0;
    } catch (Problem e) {
      System.err.println("kinhub: " + e.detail());
      return 2;
    } catch (RuntimeException e) {
      System.err.println("kinhub: " + e.getMessage());
      return 1;
    }
  }

  /** The configuration source of the admin commands (tests substitute their own). */
  static Map<String, String> environment = System.getenv();

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"kinhub " + (v == null ? "dev" : v)};
    }
  }
}
