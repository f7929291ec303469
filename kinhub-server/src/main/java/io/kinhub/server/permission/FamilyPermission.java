package io.kinhub.server.permission;

import io.kinhub.server.permission.Roles.FamilyRole;

/**
 * One permission in one family, as the routes ask for it: {@code FamilyPermission.editPersons(478)}
 * is {@code family:person:edit:478}. The factories are the only place the API's family permissions
 * are spelled; each result is parsed by {@link Permission#parse}, so it follows the ABNF grammar
 * like any other permission. The table of what each one allows is in {@link Roles}.
 */
public record FamilyPermission(long familyId, Permission permission) {
  private static final String DOMAIN = "family";

  private static FamilyPermission of(long familyId, String... actions) {
    String[] parts = new String[actions.length + 2];
    parts[0] = DOMAIN;
    System.arraycopy(actions, 0, parts, 1, actions.length);
    parts[parts.length - 1] = Long.toString(familyId);
    return new FamilyPermission(familyId, Permission.parse(String.join(":", parts)));
  }

  /** {@code family:read:F}: the family, its members, its tree and feed; GEDCOM export. */
  public static FamilyPermission read(long familyId) {
    return of(familyId, "read");
  }

  /** {@code family:edit:F}: the family profile. */
  public static FamilyPermission edit(long familyId) {
    return of(familyId, "edit");
  }

  /** {@code family:delete:F}: the whole family. */
  public static FamilyPermission delete(long familyId) {
    return of(familyId, "delete");
  }

  /** {@code family:member:invite:F}: create invitations. */
  public static FamilyPermission inviteMembers(long familyId) {
    return of(familyId, "member", "invite");
  }

  /** {@code family:invitation:read:F}: list live invitations. */
  public static FamilyPermission readInvitations(long familyId) {
    return of(familyId, "invitation", "read");
  }

  /** {@code family:invitation:delete:F}: revoke an invitation. */
  public static FamilyPermission revokeInvitations(long familyId) {
    return of(familyId, "invitation", "delete");
  }

  /** {@code family:role:assign:F}: appoint or revoke admins, transfer the originator role. */
  public static FamilyPermission assignRoles(long familyId) {
    return of(familyId, "role", "assign");
  }

  /** {@code family:member:leave:F}: remove oneself. */
  public static FamilyPermission leave(long familyId) {
    return of(familyId, "member", "leave");
  }

  /**
   * Removing someone else, which depends on the role they hold: {@code family:member:delete:F} for
   * a member (or someone holding no role), {@code family:admin:delete:F} for an admin, {@code
   * family:originator:delete:F} for the originator (granted to nobody but a wildcard).
   */
  public static FamilyPermission removeMember(long familyId, FamilyRole targetRole) {
    String resource =
        targetRole == null || targetRole == FamilyRole.MEMBER ? "member" : targetRole.apiName();
    return of(familyId, resource, "delete");
  }

  /** {@code family:person:create:F}: add persons to the tree (GEDCOM import too). */
  public static FamilyPermission createPersons(long familyId) {
    return of(familyId, "person", "create");
  }

  /** {@code family:person:edit:F}: edit persons of the tree. */
  public static FamilyPermission editPersons(long familyId) {
    return of(familyId, "person", "edit");
  }

  /** {@code family:person:delete:F}: delete persons of the tree. */
  public static FamilyPermission deletePersons(long familyId) {
    return of(familyId, "person", "delete");
  }

  /** {@code family:feed:post:F}: post and comment in the family feed. */
  public static FamilyPermission postToFeed(long familyId) {
    return of(familyId, "feed", "post");
  }

  @Override
  public String toString() {
    return permission.toString();
  }
}
