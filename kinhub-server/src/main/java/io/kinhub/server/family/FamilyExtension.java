package io.kinhub.server.family;

import io.kinhub.server.http.JsonBody;
import io.kinhub.server.permission.Permissions.Access;

/**
 * Fields another area adds to a family's GET and PATCH (the genealogy settings), kept out of {@link
 * FamilyRoutes}.
 */
public interface FamilyExtension {
  FamilyExtension NONE =
      new FamilyExtension() {
        @Override
        public Runnable patch(long familyId, JsonBody body, long userId) {
          return () -> {};
        }

        @Override
        public Object describe(long familyId, long userId, Access access) {
          return null;
        }
      };

  /**
   * Validates this area's fields of a PATCH body (400 with {@code field}); the result applies them.
   */
  Runnable patch(long familyId, JsonBody body, long userId);

  /**
   * This area's fields of a family's API object, as a record whose members are added after the
   * family's own (Jackson unwraps it); null adds nothing.
   */
  Object describe(long familyId, long userId, Access access);
}
