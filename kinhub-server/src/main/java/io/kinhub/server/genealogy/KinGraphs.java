package io.kinhub.server.genealogy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kinhub.server.backing.Database;
import io.kinhub.server.http.Problem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The {@link KinGraph} of each family at its current tree version, built from one consistent
 * snapshot and kept in a cache bounded by (estimated) bytes; a newer version replaces an older one,
 * and concurrent requests for a graph that is not cached share one build. Family settings that
 * change what the graph computes (privacy, founder, poem) bump the tree version like any edit.
 */
public final class KinGraphs {
  private final Database db;
  private final Clock clock;
  private final Cache<Long, KinGraph> graphs;
  private final Counter builds;
  private final ConcurrentHashMap<Long, CompletableFuture<Optional<KinGraph>>> building =
      new ConcurrentHashMap<>();

  public KinGraphs(Database db, long maxBytes, Clock clock, MeterRegistry meters) {
    this.db = db;
    this.clock = clock;
    this.graphs =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .<Long, KinGraph>weigher((k, g) -> (int) Math.min(Integer.MAX_VALUE, g.weight()))
            .build();
    this.builds =
        Counter.builder("kinhub.genealogy.graph.builds")
            .description("kinship graphs built from the database (cache misses)")
            .register(meters);
  }

  /** The graph at {@code currentVersion} or newer; 404 when the family is gone. */
  public KinGraph graph(long familyId, long currentVersion) {
    for (int attempt = 0; ; attempt++) {
      KinGraph cached = graphs.getIfPresent(familyId);
      if (cached != null && cached.version >= currentVersion) {
        return cached;
      }
      CompletableFuture<Optional<KinGraph>> mine = new CompletableFuture<>();
      CompletableFuture<Optional<KinGraph>> running =
          attempt < 3 ? building.putIfAbsent(familyId, mine) : null;
      if (running == null) {
        try {
          Optional<KinGraph> built =
              db.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, h -> build(h, familyId));
          built.ifPresent(this::keep);
          mine.complete(built);
          return built.orElseThrow(() -> Problem.notFound("No such family."));
        } catch (RuntimeException | Error e) {
          mine.completeExceptionally(e);
          throw e;
        } finally {
          building.remove(familyId, mine);
        }
      }
      Optional<KinGraph> shared = running.join();
      if (shared.isEmpty()) {
        throw Problem.notFound("No such family.");
      }
      if (shared.get().version >= currentVersion) {
        return shared.get();
      }
    }
  }

  /**
   * Whether the family has a founder (only then do members' person objects need the graph, for
   * generations).
   */
  public boolean hasFounder(long familyId) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT founder_person_id IS NOT NULL FROM family WHERE id = :id")
                .bind("id", familyId)
                .mapTo(Boolean.class)
                .findOne()
                .orElse(false));
  }

  /**
   * The graph at exactly the version {@code h}'s transaction sees (for documents built in that
   * transaction).
   */
  public Optional<KinGraph> graph(Handle h, long familyId, long version) {
    KinGraph cached = graphs.getIfPresent(familyId);
    if (cached != null && cached.version == version) {
      return Optional.of(cached);
    }
    Optional<KinGraph> built = build(h, familyId);
    built.ifPresent(this::keep);
    return built;
  }

  private void keep(KinGraph g) {
    graphs.asMap().merge(g.familyId, g, (old, fresh) -> fresh.version >= old.version ? fresh : old);
  }

  private record Row(
      long id,
      String name,
      String surname,
      String gender,
      String birth,
      String death,
      boolean deceased,
      Long father,
      Long mother) {}

  private Optional<KinGraph> build(Handle h, long familyId) {
    Optional<Object[]> family =
        h.createQuery(
                "SELECT tree_version, max_alive_age, show_living_names_to, founder_person_id, "
                    + "generation_poem, poem_start_generation, surname FROM family WHERE id = :id")
            .bind("id", familyId)
            .map(
                (rs, ctx) ->
                    new Object[] {
                      rs.getLong("tree_version"),
                      rs.getInt("max_alive_age"),
                      rs.getString("show_living_names_to"),
                      rs.getObject("founder_person_id"),
                      rs.getString("generation_poem"),
                      rs.getInt("poem_start_generation"),
                      rs.getString("surname")
                    })
            .findOne();
    if (family.isEmpty()) {
      return Optional.empty();
    }
    Object[] f = family.get();
    GenealogySettings settings =
        new GenealogySettings(
            (Integer) f[1],
            "everyone".equals(f[2]),
            (Long) f[3],
            (String) f[4],
            (Integer) f[5],
            (String) f[6]);
    List<Row> rows = new ArrayList<>();
    h.createQuery(
            "SELECT id, name, surname, gender, birth_date, death_date, deceased, father_id, mother_id "
                + "FROM person WHERE family_id = :family ORDER BY id")
        .bind("family", familyId)
        .setFetchSize(5_000)
        .map(
            (rs, ctx) ->
                new Row(
                    rs.getLong("id"),
                    rs.getString("name"),
                    rs.getString("surname"),
                    rs.getString("gender"),
                    rs.getString("birth_date"),
                    rs.getString("death_date"),
                    rs.getBoolean("deceased"),
                    (Long) rs.getObject("father_id"),
                    (Long) rs.getObject("mother_id")))
        .forEach(rows::add);
    int n = rows.size();
    long[] ids = new long[n];
    String[] names = new String[n];
    String[] surnames = new String[n];
    byte[] sex = new byte[n];
    int[] birth = new int[n];
    boolean[] dead = new boolean[n];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      ids[i] = r.id();
      names[i] = r.name();
      surnames[i] = r.surname();
      sex[i] =
          "male".equals(r.gender())
              ? KinGraph.MALE
              : "female".equals(r.gender()) ? KinGraph.FEMALE : KinGraph.UNKNOWN;
      birth[i] = KinGraph.dateKey(r.birth());
      dead[i] = r.deceased() || r.death() != null;
    }
    int[] father = new int[n];
    int[] mother = new int[n];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      father[i] = r.father() == null ? -1 : Arrays.binarySearch(ids, r.father());
      mother[i] = r.mother() == null ? -1 : Arrays.binarySearch(ids, r.mother());
    }
    rows.clear();
    List<int[]> pairs = new ArrayList<>();
    h.createQuery("SELECT a, b FROM spouse WHERE family_id = :family")
        .bind("family", familyId)
        .setFetchSize(5_000)
        .map((rs, ctx) -> new long[] {rs.getLong("a"), rs.getLong("b")})
        .forEach(
            p -> {
              int a = Arrays.binarySearch(ids, p[0]);
              int b = Arrays.binarySearch(ids, p[1]);
              if (a >= 0 && b >= 0) {
                pairs.add(new int[] {a, b});
              }
            });
    builds.increment();
    int year = clock.instant().atZone(ZoneOffset.UTC).getYear();
    return Optional.of(
        new KinGraph(
            familyId,
            (Long) f[0],
            settings,
            ids,
            names,
            surnames,
            sex,
            birth,
            dead,
            father,
            mother,
            pairs.toArray(new int[0][]),
            year));
  }
}
