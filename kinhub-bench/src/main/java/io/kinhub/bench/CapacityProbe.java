package io.kinhub.bench;

import io.kinhub.bench.runner.BenchRun;
import io.kinhub.bench.runner.Scenario;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The per-unit figures of docs/capacity.md that the other benchmarks do not give: Redis memory per
 * session (with what a login leaves behind: rate-limit buckets), PostgreSQL bytes per account and
 * per person. Starts Redis, PostgreSQL and two nodes like {@link BenchMain}, creates accounts and
 * sessions over HTTP, imports a generated GEDCOM, and reads {@code INFO memory}, {@code MEMORY
 * USAGE} of every key, and {@code pg_total_relation_size}.
 *
 * <pre>
 * ./kinhub bench capacity [--users 400] [--persons 20000] [--out file]
 * </pre>
 */
public final class CapacityProbe implements Scenario {
  /** Instantiated by the runner ({@code io.kinhub.bench.Bench}). */
  public CapacityProbe() {}

  @Override
  public String name() {
    return "capacity";
  }

  @Override
  public String summary() {
    return "Redis memory per session, PostgreSQL bytes per account and person (docs/capacity.md)";
  }

  @Override
  public String help() {
    return """
        Options: --users N (400, 10..100000), --persons N (20000, 100..1000000), --out FILE.
        """;
  }

  @Override
  public int run(BenchRun run) throws Exception {
    String[] args = run.args();
    int users = 400;
    int persons = 20_000;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--users" -> users = Integer.parseInt(args[i + 1]);
        case "--persons" -> persons = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (users < 10 || users > 100_000 || persons < 100 || persons > 1_000_000) {
      throw new IllegalArgumentException("--users 10..100000, --persons 100..1000000");
    }
    Path tmp = run.tempDir("kinhub-capacity-");
    StringBuilder md = new StringBuilder();
    try (Backends backends = Backends.start(tmp);
        Cluster cluster = Cluster.start(backends, tmp.resolve("nodes"));
        Api api = new Api();
        RedisClientHolder redis = new RedisClientHolder(backends.redisUrl());
        Connection pg = DriverManager.getConnection(backends.jdbcUrl())) {
      RedisCommands<String, String> r = redis.connection.sync();
      Thread.sleep(1_000);
      long memStart = usedMemory(r);
      long keysStart = r.dbsize();

      System.err.println("capacity: creating " + users + " accounts");
      int u = users;
      parallel(
          users,
          i -> api.createAccount(cluster.a(), "cap-user-" + i + "@example.org", "Capacity " + i));
      long memAccounts = usedMemory(r);
      System.err.println("capacity: two logins per account");
      List<String> tokens = new ArrayList<>();
      parallel(
          users,
          i -> {
            String phone =
                api.login(
                    i % 2 == 0 ? cluster.a() : cluster.b(),
                    "cap-user-" + i + "@example.org",
                    "phone");
            String browser =
                api.login(
                    i % 2 == 0 ? cluster.b() : cluster.a(),
                    "cap-user-" + i + "@example.org",
                    "browser");
            synchronized (tokens) {
              tokens.add(phone);
              tokens.add(browser);
            }
            return null;
          });
      long memSessions = usedMemory(r);
      long sessions = tokens.size();
      Map<String, long[]> byKind = keyMemory(r);

      md.append(
              "## Capacity probe: Redis memory per session, PostgreSQL bytes per account and person\n\n")
          .append("Command: `./kinhub bench capacity --users ")
          .append(u)
          .append(" --persons ")
          .append(persons)
          .append("`. Embedded Redis 7.0.15 and PostgreSQL 17, two nodes in the same JVM, ")
          .append("default configuration except lifted rate limits for the single client address. ")
          .append(u)
          .append(
              " accounts created over HTTP, then each logged in twice (\"phone\" on one node, \"browser\" on the other): ")
          .append(sessions)
          .append(" sessions.\n\n");
      md.append(
          String.format(
              Locale.ROOT,
              "- Redis `used_memory`: %,d B at start (%d keys: the nodes' own), %,d B after the accounts, "
                  + "%,d B after the logins: **%.0f B per session** all-in (what the logins added ÷ sessions; includes the "
                  + "login rate-limit buckets and the allocator's rounding)%n",
              memStart,
              keysStart,
              memAccounts,
              memSessions,
              (memSessions - memAccounts) / (double) sessions));
      md.append(
          "- `MEMORY USAGE` of every key, by kind (after the logins):\n\n| kind | keys | bytes | bytes per session |\n|---|---:|---:|---:|\n");
      long total = 0;
      for (Map.Entry<String, long[]> e : byKind.entrySet()) {
        total += e.getValue()[1];
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %,d | %,d | %.0f |%n",
                e.getKey(),
                e.getValue()[0],
                e.getValue()[1],
                e.getValue()[1] / (double) sessions));
      }
      md.append(
          String.format(
              Locale.ROOT, "| all | | %,d | %.0f |%n%n", total, total / (double) sessions));

      long accountBytes = relationSize(pg, "account");
      long accounts = count(pg, "account");
      md.append(
          String.format(
              Locale.ROOT,
              "- PostgreSQL `account`: %,d rows, %,d B with indexes and TOAST: **%.0f B per account** "
                  + "(row, primary key and login index)%n",
              accounts,
              accountBytes,
              accountBytes / (double) accounts));

      System.err.println("capacity: importing a generated GEDCOM of " + persons + " persons");
      String owner = tokens.getFirst();
      long family = api.createFamily(cluster.a(), owner, "Capacity family");
      GedcomGenerator.Generated file =
          GedcomGenerator.write(tmp.resolve("capacity.ged"), persons, 42);
      Api.Response imported =
          api.postFile(
              cluster.a() + "/api/v1/families/" + family + "/gedcom",
              owner,
              file.file(),
              Duration.ofMinutes(10));
      if (imported.status() / 100 != 2) {
        throw new IllegalStateException(
            "GEDCOM import answered " + imported.status() + ": " + Api.abbreviate(imported.body()));
      }
      try (Statement s = pg.createStatement()) {
        s.execute("VACUUM ANALYZE person");
        s.execute("VACUUM ANALYZE spouse");
      }
      long personRows = count(pg, "person");
      long personBytes = relationSize(pg, "person");
      long spouseBytes = relationSize(pg, "spouse");
      md.append(
          String.format(
              Locale.ROOT,
              "- PostgreSQL `person` after importing a generated GEDCOM of %,d persons (%,d B file, "
                  + "names, dates, places, notes): %,d rows, %,d B with indexes and TOAST, `spouse` %,d B: **%.0f B per person** "
                  + "(both tables)%n",
              file.persons(),
              file.bytes(),
              personRows,
              personBytes,
              spouseBytes,
              (personBytes + spouseBytes) / (double) personRows));
      md.append(String.format(Locale.ROOT, "- whole database: %,d B%n", databaseSize(pg)));
    } finally {
      BenchRun.deleteRecursively(tmp);
    }
    run.report(md);
    return 0;
  }

  private interface Step {
    Object run(int i) throws Exception;
  }

  private static void parallel(int n, Step step) throws Exception {
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        all.add(pool.submit(() -> step.run(k)));
      }
      for (Future<?> f : all) {
        f.get();
      }
    }
  }

  private static final class RedisClientHolder implements AutoCloseable {
    final RedisClient client;
    final StatefulRedisConnection<String, String> connection;

    RedisClientHolder(String url) {
      client = RedisClient.create(url);
      connection = client.connect();
    }

    @Override
    public void close() {
      connection.close();
      client.shutdown();
    }
  }

  private static long usedMemory(RedisCommands<String, String> r) {
    for (String line : r.info("memory").split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    throw new IllegalStateException("no used_memory in INFO memory");
  }

  /** {kind -> [keys, bytes]} over every key, by the shape of its name. */
  private static Map<String, long[]> keyMemory(RedisCommands<String, String> r) {
    Map<String, long[]> kinds = new LinkedHashMap<>();
    ScanCursor cursor = ScanCursor.INITIAL;
    for (int pages = 0; pages < 100_000; pages++) {
      KeyScanCursor<String> page = r.scan(cursor, ScanArgs.Builder.limit(1000));
      for (String key : page.getKeys()) {
        Long bytes = r.memoryUsage(key);
        long[] k = kinds.computeIfAbsent(kind(key), x -> new long[2]);
        k[0]++;
        k[1] += bytes == null ? 0 : bytes;
      }
      if (page.isFinished()) {
        break;
      }
      cursor = page;
    }
    return kinds;
  }

  private static String kind(String key) {
    if (key.contains("token:")) {
      return "token → session (`token:<hash>`)";
    }
    if (key.contains("}:session:")) {
      return "session hash (`{u<id>}:session:<id>`)";
    }
    if (key.endsWith("}:sessions")) {
      return "user's session index (`{u<id>}:sessions`)";
    }
    if (key.endsWith("}:credver")) {
      return "credential version (`{u<id>}:credver`)";
    }
    if (key.contains("{rl:")) {
      return "rate-limit buckets (`{rl:<policy>}:…`)";
    }
    if (key.contains("lockout")) {
      return "login lockout state";
    }
    return "other (bus, jobs, nodes)";
  }

  private static long relationSize(Connection pg, String table) throws Exception {
    try (Statement s = pg.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_total_relation_size('" + table + "')")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long count(Connection pg, String table) throws Exception {
    try (Statement s = pg.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long databaseSize(Connection pg) throws Exception {
    try (Statement s = pg.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_database_size(current_database())")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
