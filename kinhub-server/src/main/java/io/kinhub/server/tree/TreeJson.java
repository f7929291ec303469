package io.kinhub.server.tree;

import com.fasterxml.jackson.core.JsonGenerator;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kinhub.server.backing.Database;
import io.kinhub.server.genealogy.Generations;
import io.kinhub.server.genealogy.KinGraph;
import io.kinhub.server.genealogy.KinGraphs;
import io.kinhub.server.genealogy.Privacy;
import io.kinhub.server.genealogy.Privacy.Audience;
import io.kinhub.server.http.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The {@code GET /tree} document, built from one consistent snapshot (a repeatable-read transaction
 * reads the version and the persons together) and kept per family for as long as its version is
 * current, so a popular tree is serialised once per edit rather than once per request. It is built
 * straight into gzip and kept compressed (a million persons: about 175 MiB of JSON, a tenth of that
 * compressed), in a cache bounded by bytes; clients that accept gzip get those bytes as they are,
 * others get them decompressed on the fly — neither serialises again.
 */
public final class TreeJson {
  /** A serialised tree at one version: the JSON, gzip-compressed. */
  // never compared or hashed (the version is its identity); the bytes are written as they are
  @SuppressWarnings("ArrayRecordComponent")
  public record Document(long version, byte[] gzipped, Audience audience) {
    public Document(long version, byte[] gzipped) {
      this(version, gzipped, Audience.FULL);
    }

    /**
     * Members keep the ETag they always had; other audiences get their own (their bodies differ).
     */
    public String etag(long familyId) {
      return "\"tree-" + familyId + "-" + version + audience.tag() + "\"";
    }

    /** The JSON itself. */
    public InputStream json() throws IOException {
      return new GZIPInputStream(new ByteArrayInputStream(gzipped), 64 * 1024);
    }
  }

  private record Key(long familyId, Audience audience) {}

  private final Database db;
  private final KinGraphs graphs;
  private final Cache<Key, Document> documents;
  private final Counter builds;
  private final ConcurrentHashMap<Key, CompletableFuture<Optional<Document>>> building =
      new ConcurrentHashMap<>();

  public TreeJson(Database db, KinGraphs graphs, long cacheBytes, MeterRegistry meters) {
    this.db = db;
    this.graphs = graphs;
    this.documents =
        Caffeine.newBuilder()
            .maximumWeight(cacheBytes)
            .<Key, Document>weigher((k, d) -> d.gzipped().length)
            .build();
    this.builds =
        Counter.builder("kinhub.tree.builds")
            .description("GET /tree documents serialised (cache misses)")
            .register(meters);
  }

  /**
   * The tree at {@code currentVersion} or newer; empty when the family is gone. Concurrent requests
   * for a tree that is not cached share one build.
   */
  public Optional<Document> document(long familyId, long currentVersion) {
    return document(familyId, currentVersion, Audience.FULL);
  }

  /**
   * The tree as {@code audience} may see it (living persons private for visitors), at {@code
   * currentVersion} or newer.
   */
  public Optional<Document> document(long familyId, long currentVersion, Audience audience) {
    Key key = new Key(familyId, audience);
    for (int attempt = 0; ; attempt++) {
      Document cached = documents.getIfPresent(key);
      if (cached != null && cached.version() >= currentVersion) {
        return Optional.of(cached);
      }
      CompletableFuture<Optional<Document>> mine = new CompletableFuture<>();
      CompletableFuture<Optional<Document>> running =
          attempt < 3 ? building.putIfAbsent(key, mine) : null;
      if (running == null) {
        try {
          Optional<Document> built = build(familyId, audience);
          built.ifPresent(
              d ->
                  documents
                      .asMap()
                      .merge(
                          key, d, (old, fresh) -> fresh.version() >= old.version() ? fresh : old));
          mine.complete(built);
          return built;
        } catch (RuntimeException | Error e) {
          mine.completeExceptionally(e);
          throw e;
        } finally {
          building.remove(key, mine);
        }
      }
      Optional<Document> shared = running.join();
      if (shared.isEmpty() || shared.get().version() >= currentVersion) {
        return shared;
      } // else that build began before the edit this request knows of: take the next one
    }
  }

  private Optional<Document> build(long familyId, Audience audience) {
    return db.inTransaction(
        TransactionIsolationLevel.REPEATABLE_READ,
        h -> {
          Optional<Long> version =
              h.createQuery("SELECT tree_version FROM family WHERE id = :id")
                  .bind("id", familyId)
                  .mapTo(Long.class)
                  .findOne();
          if (version.isEmpty()) {
            return Optional.<Document>empty();
          }
          // members of a family without a founder need nothing the graph computes (no one is
          // private to them, and there
          // are no generations), so their document is built without it
          boolean founder =
              h.createQuery("SELECT founder_person_id IS NOT NULL FROM family WHERE id = :id")
                  .bind("id", familyId)
                  .mapTo(Boolean.class)
                  .one();
          KinGraph graph =
              audience == Audience.FULL && !founder
                  ? null
                  : graphs.graph(h, familyId, version.get()).orElseThrow();
          Map<Long, List<Long>> spouses = new HashMap<>();
          h.createQuery("SELECT a, b FROM spouse WHERE family_id = :family ORDER BY a, b")
              .bind("family", familyId)
              .setFetchSize(5_000)
              .map((rs, ctx) -> new long[] {rs.getLong("a"), rs.getLong("b")})
              .forEach(
                  pair -> {
                    spouses.computeIfAbsent(pair[0], k -> new ArrayList<>(2)).add(pair[1]);
                    spouses.computeIfAbsent(pair[1], k -> new ArrayList<>(2)).add(pair[0]);
                  });
          builds.increment();
          ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
          try (JsonGenerator json =
              Json.MAPPER.getFactory().createGenerator(new GZIPOutputStream(out, 64 * 1024))) {
            json.writeStartObject();
            json.writeStringField("familyId", Long.toString(familyId));
            json.writeNumberField("version", version.get());
            json.writeArrayFieldStart("persons");
            h.createQuery(
                    "SELECT id, name, surname, gender, birth_date, birth_place, death_date, death_place, father_id, mother_id "
                        + "FROM person WHERE family_id = :family ORDER BY id")
                .bind("family", familyId)
                .setFetchSize(5_000)
                .scanResultSet(
                    (rows, ctx) -> {
                      var rs = rows.get();
                      try {
                        while (rs.next()) {
                          long id = rs.getLong("id");
                          int index = graph == null ? -1 : graph.index(id);
                          json.writeStartObject();
                          json.writeStringField("id", Long.toString(id));
                          // graph is never null for a restricted audience; a person it lacks stays
                          // private
                          if (audience != Audience.FULL
                              && (index < 0 || Privacy.hidden(graph, audience, index))) {
                            json.writeStringField(
                                "name",
                                index < 0
                                    ? Privacy.PRIVATE_NAME
                                    : Privacy.name(graph, audience, index));
                            json.writeBooleanField("private", true);
                            writeId(json, "fatherId", rs.getLong("father_id"), rs.wasNull());
                            writeId(json, "motherId", rs.getLong("mother_id"), rs.wasNull());
                            writeSpouses(json, spouses.getOrDefault(id, List.of()));
                            if (index >= 0) {
                              writeGeneration(json, graph, index, false);
                            }
                            json.writeEndObject();
                            continue;
                          }
                          json.writeStringField("name", rs.getString("name"));
                          json.writeStringField("surname", rs.getString("surname"));
                          json.writeStringField("gender", rs.getString("gender"));
                          json.writeStringField("birthDate", rs.getString("birth_date"));
                          json.writeStringField("birthPlace", rs.getString("birth_place"));
                          json.writeStringField("deathDate", rs.getString("death_date"));
                          json.writeStringField("deathPlace", rs.getString("death_place"));
                          writeId(json, "fatherId", rs.getLong("father_id"), rs.wasNull());
                          writeId(json, "motherId", rs.getLong("mother_id"), rs.wasNull());
                          writeSpouses(json, spouses.getOrDefault(id, List.of()));
                          if (index >= 0) {
                            writeGeneration(json, graph, index, true);
                          } else {
                            json.writeNullField("generation");
                          }
                          json.writeEndObject();
                        }
                      } catch (IOException e) {
                        throw new UncheckedIOException(e);
                      }
                      return null;
                    });
            json.writeEndArray();
            json.writeEndObject();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return Optional.of(new Document(version.get(), out.toByteArray(), audience));
        });
  }

  private static void writeSpouses(JsonGenerator json, List<Long> spouses) throws IOException {
    json.writeArrayFieldStart("spouseIds");
    for (long spouse : spouses) {
      json.writeString(Long.toString(spouse));
    }
    json.writeEndArray();
  }

  /** The 世 fields; a private person shows only the generation number (no name-derived fields). */
  private static void writeGeneration(JsonGenerator json, KinGraph graph, int index, boolean names)
      throws IOException {
    Integer generation = Generations.generation(graph, index);
    if (generation == null) {
      json.writeNullField("generation");
      return;
    }
    json.writeNumberField("generation", generation);
    if (names) {
      String expected = Generations.generationName(graph, index);
      if (expected != null) {
        json.writeStringField("generationName", expected);
        json.writeBooleanField("generationNameMatches", Generations.matches(graph, index));
      }
    }
  }

  private static void writeId(JsonGenerator json, String field, long id, boolean isNull)
      throws IOException {
    if (isNull) {
      json.writeNullField(field);
    } else {
      json.writeStringField(field, Long.toString(id));
    }
  }
}
