package io.kinhub.server.tree;

/**
 * Why {@link PersonStore} refused to read or change a tree: a missing family, person or change, a
 * conflict with the tree as it is (with a stable code such as {@code cycle}), or a bad value of one
 * input field. A domain outcome, not an HTTP type: {@link TreeRoutes} answers it as the matching
 * problem.
 */
public final class TreeRefusal extends RuntimeException {
  /** What kind of refusal. */
  public enum Reason {
    /** The family, person or change does not exist (in this family). */
    NOT_FOUND,
    /** The change contradicts the tree as it is now; {@link #code()} says how. */
    CONFLICT,
    /** One input field names something impossible; {@link #field()} says which. */
    INVALID,
    /**
     * The edit was made against a tree version that is not the current one ({@link
     * #currentVersion()}).
     */
    STALE
  }

  /** The generic conflict code: the tree changed in the meantime. */
  public static final String CHANGED = "conflict";

  private final Reason reason;
  private final String code;
  private final String field;
  private final String detail;
  private final long familyId;
  private final long currentVersion;

  private TreeRefusal(Reason reason, String code, String field, String detail) {
    this(reason, code, field, detail, -1, -1);
  }

  private TreeRefusal(
      Reason reason, String code, String field, String detail, long familyId, long currentVersion) {
    super(detail);
    this.reason = reason;
    this.code = code;
    this.field = field;
    this.detail = detail;
    this.familyId = familyId;
    this.currentVersion = currentVersion;
  }

  static TreeRefusal stale(long familyId, long currentVersion, String detail) {
    return new TreeRefusal(Reason.STALE, "tree_changed", null, detail, familyId, currentVersion);
  }

  /** The family whose tree a {@link Reason#STALE} refers to; else -1. */
  public long familyId() {
    return familyId;
  }

  /** The tree's version now, for a {@link Reason#STALE}; else -1. */
  public long currentVersion() {
    return currentVersion;
  }

  static TreeRefusal notFound(String detail) {
    return new TreeRefusal(Reason.NOT_FOUND, null, null, detail);
  }

  static TreeRefusal conflict(String code, String detail) {
    return new TreeRefusal(Reason.CONFLICT, code, null, detail);
  }

  static TreeRefusal invalid(String field, String detail) {
    return new TreeRefusal(Reason.INVALID, null, field, detail);
  }

  public Reason reason() {
    return reason;
  }

  /** The stable code of a {@link Reason#CONFLICT}, else null. */
  public String code() {
    return code;
  }

  /** The input field of an {@link Reason#INVALID}, else null. */
  public String field() {
    return field;
  }

  /** Written for the client; never internals. */
  public String detail() {
    return detail;
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this; // expected outcomes, not bugs
  }
}
