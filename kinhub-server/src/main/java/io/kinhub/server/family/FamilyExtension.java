package io.kinhub.server.family;

import io.kinhub.server.permission.Permissions.Access;
import io.kinhub.server.http.JsonBody;
import java.util.Map;

/** Fields another area adds to a family's GET and PATCH (the genealogy settings), kept out of {@link FamilyRoutes}. */
public interface FamilyExtension {
  FamilyExtension NONE = new FamilyExtension() {
    @Override
    public Runnable patch(long familyId, JsonBody body, long userId) {
      return () -> {};
    }

    @Override
    public void describe(long familyId, long userId, Access access, Map<String, Object> out) {}
  };

  /** Validates this area's fields of a PATCH body (400 with {@code field}); the result applies them. */
  Runnable patch(long familyId, JsonBody body, long userId);

  /** Adds this area's fields to a family's API object. */
  void describe(long familyId, long userId, Access access, Map<String, Object> out);
}
