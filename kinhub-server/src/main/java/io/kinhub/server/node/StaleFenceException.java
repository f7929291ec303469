package io.kinhub.server.node;

/**
 * A fenced write was refused: a holder with a larger fencing token has already written for this
 * task, so this holder's lock ran out (it was paused, or cut off) and another node took over. The
 * transaction was rolled back; the holder must stop.
 */
public final class StaleFenceException extends RuntimeException {
  public StaleFenceException(String task, long fence) {
    super("task '" + task + "': fence " + fence + " is stale, a later holder has written");
  }
}
