package io.kinhub.server.permission;

/** A permission string that does not follow the grammar; the message says where and why. */
public final class MalformedPermissionException extends IllegalArgumentException {
  private final int position;

  MalformedPermissionException(String permission, int position, String reason) {
    super(
        "'"
            + permission
            + "' is not a valid permission: "
            + reason
            + " (at character "
            + (position + 1)
            + ")");
    this.position = position;
  }

  /** Zero-based index of the offending character. */
  public int position() {
    return position;
  }
}
