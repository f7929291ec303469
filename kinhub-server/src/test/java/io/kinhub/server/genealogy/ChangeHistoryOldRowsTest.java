package io.kinhub.server.genealogy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.backing.Database;
import io.kinhub.server.http.Json;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.TestBackends;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Change-history rows written before the history had its own record type (the person's API object
 * as a map, the import counts as a map) still read back: listed exactly as then, and revertible.
 */
class ChangeHistoryOldRowsTest {
  /** A person's {@code before} as the map-building code wrote it (members in API order). */
  private static String oldPerson(String id, String family, String name) {
    return "{\"id\":\"%s\",\"familyId\":\"%s\",\"name\":\"%s\",\"surname\":null,\"gender\":\"male\","
            .formatted(id, family, name)
        + "\"birthDate\":\"1950-03\",\"birthPlace\":\"Hangzhou\",\"deathDate\":null,"
        + "\"deathPlace\":null,\"fatherId\":null,\"motherId\":null,\"spouseIds\":[],"
        + "\"childrenIds\":[],\"notes\":\"line\\nbreak\",\"deceased\":false}";
  }

  @Test
  void rowsInTheOldFormat_listAsBefore_andRevert() throws Exception {
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix());
        Database db = Database.connect(TestBackends.get().databaseUrl(), 2, "old-rows")) {
      Api api = Api.of(node);
      User owner = api.newUser("Keeper");
      String f =
          api.post("/api/v1/families", owner.token(), Map.of("name", "Old rows"))
              .json()
              .get("id")
              .asText();
      String p = "/api/v1/families/" + f;
      String person =
          api.post(p + "/persons", owner.token(), Map.of("name", "New Name"))
              .json()
              .get("id")
              .asText();
      String before = oldPerson(person, f, "Old Name");
      String after = oldPerson(person, f, "New Name");
      String imported = "{\"imported\":{\"families\":2,\"persons\":3}}";
      db.withHandle(
          h -> {
            h.createUpdate(
                    "INSERT INTO person_change (family_id, person_id, account_id, kind, before, after) "
                        + "VALUES (:f, NULL, :a, 'import', NULL, CAST(:after AS jsonb))")
                .bind("f", Long.parseLong(f))
                .bind("a", Long.parseLong(owner.id()))
                .bind("after", imported)
                .execute();
            return h.createUpdate(
                    "INSERT INTO person_change (family_id, person_id, account_id, kind, before, after) "
                        + "VALUES (:f, :p, :a, 'update', CAST(:before AS jsonb), CAST(:after AS jsonb))")
                .bind("f", Long.parseLong(f))
                .bind("p", Long.parseLong(person))
                .bind("a", Long.parseLong(owner.id()))
                .bind("before", before)
                .bind("after", after)
                .execute();
          });

      JsonNode changes = api.get(p + "/changes?limit=2", owner.token()).json().get("changes");
      JsonNode update = changes.get(0);
      assertThat(update.get("kind").asText()).isEqualTo("update");
      // exactly what the map-reading code served: the jsonb text, members in jsonb's order
      assertThat(Json.MAPPER.writeValueAsString(update.get("before")))
          .isEqualTo(stored(db, "before", update.get("id").asText()));
      assertThat(Json.MAPPER.writeValueAsString(update.get("after")))
          .isEqualTo(stored(db, "after", update.get("id").asText()));
      assertThat(update.get("before")).isEqualTo(Json.MAPPER.readTree(before));
      JsonNode importRow = changes.get(1);
      assertThat(importRow.get("kind").asText()).isEqualTo("import");
      assertThat(Json.MAPPER.writeValueAsString(importRow.get("after")))
          .isEqualTo(stored(db, "after", importRow.get("id").asText()));

      Api.Response reverted =
          api.post(
              p + "/changes/" + update.get("id").asText() + "/revert", owner.token(), Map.of());
      assertThat(reverted.status()).as(reverted.text()).isEqualTo(200);
      JsonNode restored = reverted.json().get("person");
      assertThat(restored.get("name").asText()).isEqualTo("Old Name");
      assertThat(restored.get("gender").asText()).isEqualTo("male");
      assertThat(restored.get("birthDate").asText()).isEqualTo("1950-03");
      assertThat(restored.get("birthPlace").asText()).isEqualTo("Hangzhou");
      assertThat(restored.get("notes").asText()).isEqualTo("line\nbreak");
    }
  }

  /** The stored jsonb value as the map-reading code served it: parsed and written compactly. */
  private static String stored(Database db, String column, String changeId) throws Exception {
    String text =
        db.withHandle(
            h ->
                h.createQuery("SELECT " + column + "::text FROM person_change WHERE id = :id")
                    .bind("id", Long.parseLong(changeId))
                    .mapTo(String.class)
                    .one());
    return Json.MAPPER.writeValueAsString(Json.MAPPER.readTree(text));
  }
}
