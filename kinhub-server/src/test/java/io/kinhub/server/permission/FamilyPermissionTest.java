package io.kinhub.server.permission;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.permission.Roles.FamilyRole;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The typed family permissions spell exactly the strings of the role table in {@link Roles} (and of
 * the API documentation), follow the ABNF grammar, and are granted to the same roles as those
 * strings.
 */
class FamilyPermissionTest {
  private static final Pattern ABNF =
      Pattern.compile("[A-Za-z0-9._-]{1,64}(?::[A-Za-z0-9._-]{1,64}){1,7}");

  private static final Map<String, LongFunction<FamilyPermission>> SPELLED =
      Map.ofEntries(
          Map.entry("family:read:478", FamilyPermission::read),
          Map.entry("family:edit:478", FamilyPermission::edit),
          Map.entry("family:delete:478", FamilyPermission::delete),
          Map.entry("family:member:invite:478", FamilyPermission::inviteMembers),
          Map.entry("family:invitation:read:478", FamilyPermission::readInvitations),
          Map.entry("family:invitation:delete:478", FamilyPermission::revokeInvitations),
          Map.entry("family:role:assign:478", FamilyPermission::assignRoles),
          Map.entry("family:member:leave:478", FamilyPermission::leave),
          Map.entry("family:person:create:478", FamilyPermission::createPersons),
          Map.entry("family:person:edit:478", FamilyPermission::editPersons),
          Map.entry("family:person:delete:478", FamilyPermission::deletePersons),
          Map.entry("family:feed:post:478", FamilyPermission::postToFeed),
          Map.entry(
              "family:member:delete:478",
              id -> FamilyPermission.removeMember(id, FamilyRole.MEMBER)),
          Map.entry(
              "family:admin:delete:478", id -> FamilyPermission.removeMember(id, FamilyRole.ADMIN)),
          Map.entry(
              "family:originator:delete:478",
              id -> FamilyPermission.removeMember(id, FamilyRole.ORIGINATOR)));

  @Test
  void everyFactory_spellsTheDocumentedPermission_inTheGrammar() {
    SPELLED.forEach(
        (text, factory) -> {
          FamilyPermission typed = factory.apply(478);
          assertThat(typed.toString()).isEqualTo(text);
          assertThat(typed.permission()).isEqualTo(Permission.parse(text));
          assertThat(typed.familyId()).isEqualTo(478);
          assertThat(ABNF.matcher(typed.toString()).matches()).isTrue();
        });
  }

  @Test
  void removingSomeoneWithoutARole_asksForTheMemberPermission() {
    assertThat(FamilyPermission.removeMember(9, null).toString())
        .isEqualTo("family:member:delete:9");
  }

  @Test
  void everyRole_isGrantedTheTypedPermissions_itIsGrantedAsStrings() {
    for (FamilyRole role : FamilyRole.values()) {
      SPELLED.forEach(
          (text, factory) -> {
            boolean asString =
                role.permissions(478).stream().anyMatch(p -> p.implies(Permission.parse(text)));
            boolean typed =
                role.permissions(478).stream()
                    .anyMatch(p -> p.implies(factory.apply(478).permission()));
            assertThat(typed).as(role + " " + text).isEqualTo(asString);
          });
    }
  }
}
