package io.kinhub.server.permission;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * THE role matrix: which permissions each role holds. This table is the only place where roles meet
 * permissions; routes ask for a permission and never look at a role. {@code {family}} stands for
 * the id of the family the role is held in.
 *
 * <table>
 *   <caption>Permissions used by the API</caption>
 *   <tr><td>family:read:F</td><td>read the family, its members and its tree; export GEDCOM</td></tr>
 *   <tr><td>family:edit:F</td><td>edit the family profile</td></tr>
 *   <tr><td>family:delete:F</td><td>delete the family</td></tr>
 *   <tr><td>family:member:invite:F</td><td>create invitations; an invitation lives only while its creator holds this</td></tr>
 *   <tr><td>family:invitation:read:F</td><td>list the family's live invitations (never their codes)</td></tr>
 *   <tr><td>family:invitation:delete:F</td><td>revoke an invitation</td></tr>
 *   <tr><td>family:member:delete:F</td><td>remove a member whose role is {@code member}</td></tr>
 *   <tr><td>family:admin:delete:F</td><td>remove an admin</td></tr>
 *   <tr><td>family:member:leave:F</td><td>remove oneself</td></tr>
 *   <tr><td>family:role:assign:F</td><td>appoint / revoke admins, transfer the originator role</td></tr>
 *   <tr><td>family:person:create,edit,delete:F</td><td>edit the tree (GEDCOM import needs create)</td></tr>
 *   <tr><td>family:feed:post:F</td><td>post to the family feed</td></tr>
 * </table>
 */
public final class Roles {
  private Roles() {}

  /** Roles within one family; {@code VISITOR} is everyone without a membership. */
  public enum FamilyRole {
    ORIGINATOR(
        "family:read,edit,delete:{family}",
        "family:member:invite,delete:{family}",
        "family:invitation:read,delete:{family}",
        "family:admin:delete:{family}",
        "family:role:assign:{family}",
        "family:person:create,edit,delete:{family}",
        "family:feed:post:{family}"),
    ADMIN(
        "family:read,edit:{family}",
        "family:member:invite,delete,leave:{family}",
        "family:invitation:read,delete:{family}",
        "family:person:create,edit,delete:{family}",
        "family:feed:post:{family}"),
    MEMBER("family:read:{family}", "family:member:leave:{family}", "family:feed:post:{family}"),
    /** A visitor of a public family; a visitor of a private family holds nothing. */
    VISITOR("family:read:{family}");

    @SuppressWarnings("ImmutableEnumChecker") // List.of: unmodifiable
    private final List<String> templates;

    FamilyRole(String... templates) {
      this.templates = List.of(templates);
    }

    /** The permissions this role holds in family {@code familyId}. */
    public List<Permission> permissions(long familyId) {
      return templates.stream()
          .map(t -> Permission.parse(t.replace("{family}", Long.toString(familyId))))
          .toList();
    }

    /**
     * Whether this role holds {@code template} ({@code {family}} for the family id) in the family
     * it is held in; every family's table is the same, so one family stands for all.
     */
    public boolean holds(String template) {
      long anyFamily = 1;
      Permission wanted = Permission.parse(template.replace("{family}", Long.toString(anyFamily)));
      return permissions(anyFamily).stream().anyMatch(p -> p.implies(wanted));
    }

    /** The API name: {@code originator}, {@code admin}, {@code member}, {@code visitor}. */
    public String apiName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The member role named {@code name} in the API (visitor is not a member role). */
    public static Optional<FamilyRole> member(String name) {
      for (FamilyRole role : values()) {
        if (role != VISITOR && role.apiName().equals(name)) {
          return Optional.of(role);
        }
      }
      return Optional.empty();
    }
  }

  /** Platform role held by superadmins, in every family. */
  public static final List<Permission> SUPERADMIN =
      List.of(Permission.parse("family:read,delete:*"));
}
