package io.kinhub.bench.jmh;

import io.kinhub.bench.SingleNode;
import io.kinhub.server.permission.Permission;
import io.kinhub.server.permission.Permissions;
import io.kinhub.server.permission.Permissions.Access;
import io.kinhub.server.permission.Roles;
import io.kinhub.server.permission.Roles.FamilyRole;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one permission check on a near-cache hit, against the database lookup the cache
 * saves.
 *
 * <p>The trial set-up starts an embedded Redis and PostgreSQL and one Kinhub node in the forked
 * JVM, creates a user and a private family (the user is its originator), and warms the permission
 * cache with the user's access to the family. Then, one thread:
 *
 * <ul>
 *   <li>{@code permitsParsed}: {@link Permissions#permits} with a pre-parsed {@code
 *       family:edit:<id>} (a hit),
 *   <li>{@code permitsParsing}: the same after {@link Permission#parse} of the string, as a route
 *       does,
 *   <li>{@code parseOnly}: the parse alone,
 *   <li>{@code uncachedDatabaseLookup}, the anchor: what a miss costs at least, i.e. the cache
 *       loader's SQL query run through plain JDBC on one open connection (a prepared statement),
 *       its row turned into the grants the way the loader does, and the check. A real miss also
 *       checks a connection out of HikariCP and goes through Jdbi.
 * </ul>
 *
 * Entries of the near cache live at most {@code KINHUB_NEAR_CACHE_MAX_AGE} (5 s by default), so the
 * cached benchmarks take one miss every 5 s; the tear-down prints the cache's hits and misses to
 * stderr.
 *
 * <pre>
 *   java -cp kinhub-bench/target/kinhub-bench.jar org.openjdk.jmh.Main PermissionCheck -f 1 -wi 3 -i 5 -w 2s -r 2s
 * </pre>
 *
 * Not final: JMH generates subclasses of its benchmark classes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// the server's logback.xml logs to stdout; the bench configuration sends logs to stderr at WARN
// (Kinhub at INFO)
@Fork(value = 1, jvmArgsAppend = "-Dlogback.configurationFile=kinhub-bench-logback.xml")
public class PermissionCheckBenchmark {
  /** The loader's query in {@code Permissions}, with positional parameters: family, then user. */
  private static final String ACCESS_QUERY =
      """
      SELECT a.superadmin, f.public, m.role
      FROM account a
      LEFT JOIN family f ON f.id = ?
      LEFT JOIN family_member m ON m.family_id = f.id AND m.account_id = a.id
      WHERE a.id = ?""";

  private SingleNode node;
  private Permissions permissions;
  private long userId;
  private long familyId;
  private String text;
  private Permission parsed;
  private Connection connection;
  private PreparedStatement accessQuery;
  private long hitsBefore;
  private long missesBefore;

  @Setup(Level.Trial)
  public void start() throws SQLException {
    node = SingleNode.start("jmh-permissions");
    SingleNode.User user = node.signUp("jmh-permissions@bench.kinhub.test", "JMH Permissions");
    userId = user.id();
    familyId = node.createFamily(user, "JMH permission checks");
    permissions = node.permissions();
    text = "family:edit:" + familyId;
    parsed = Permission.parse(text);
    for (int i = 0; i < 3; i++) {
      if (!permissions.permits(userId, parsed)) {
        throw new IllegalStateException(
            "the originator of family " + familyId + " is refused " + text);
      }
    }
    connection = DriverManager.getConnection(node.jdbcUrl());
    accessQuery = connection.prepareStatement(ACCESS_QUERY);
    if (!uncachedDatabaseLookup()) {
      throw new IllegalStateException("the direct database lookup refuses " + text);
    }
    hitsBefore = node.nearCacheReads("permissions", "hit");
    missesBefore = node.nearCacheReads("permissions", "miss");
  }

  @TearDown(Level.Trial)
  public void stop() throws SQLException {
    try {
      System.err.printf(
          "permission near cache during the trial: %d hits, %d misses%n",
          node.nearCacheReads("permissions", "hit") - hitsBefore,
          node.nearCacheReads("permissions", "miss") - missesBefore);
      if (connection != null) {
        connection.close();
      }
    } finally {
      node.close();
    }
  }

  @Benchmark
  public boolean permitsParsed() {
    return permissions.permits(userId, parsed);
  }

  @Benchmark
  public boolean permitsParsing() {
    return permissions.permits(userId, Permission.parse(text));
  }

  @Benchmark
  public Permission parseOnly() {
    return Permission.parse(text);
  }

  /** The loader's work without the cache: the query, the grants of the row, the check. */
  @Benchmark
  public boolean uncachedDatabaseLookup() throws SQLException {
    accessQuery.setLong(1, familyId);
    accessQuery.setLong(2, userId);
    boolean superadmin;
    Boolean familyPublic;
    String role;
    try (ResultSet rs = accessQuery.executeQuery()) {
      if (!rs.next()) {
        return false;
      }
      superadmin = rs.getBoolean(1);
      familyPublic = (Boolean) rs.getObject(2);
      role = rs.getString(3);
    }
    if (familyPublic == null) {
      return false;
    }
    List<Permission> granted = new ArrayList<>(superadmin ? Roles.SUPERADMIN : List.of());
    FamilyRole member = role == null ? null : FamilyRole.member(role).orElseThrow();
    if (member != null) {
      granted.addAll(member.permissions(familyId));
    } else if (familyPublic) {
      granted.addAll(FamilyRole.VISITOR.permissions(familyId));
    }
    return new Access(familyId, familyPublic, member, superadmin, List.copyOf(granted))
        .permits(parsed);
  }
}
