package io.kinhub.server.backing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on the data directory, held while a Kinhub process runs on it. Holding it
 * proves that any embedded Redis or PostgreSQL found running on the directory is an orphan of a
 * dead process, never a live sibling's; failing to get it means another Kinhub uses the directory.
 */
public final class DataDirLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  public static DataDirLock acquire(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      FileChannel channel =
          FileChannel.open(
              dataDir.resolve("kinhub.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        throw new IllegalStateException(
            "the data directory "
                + dataDir
                + " is in use by another Kinhub process;"
                + " stop it or set KINHUB_DATA_DIR to another directory");
      }
      return new DataDirLock(channel, lock);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot lock the data directory " + dataDir + ": " + e.getMessage(), e);
    }
  }

  /** Whether another process holds the lock on {@code dataDir} now. */
  public static boolean held(Path dataDir) {
    try (FileChannel channel =
        FileChannel.open(
            dataDir.resolve("kinhub.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true; // held by this very process (tests run nodes in-process)
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException ignored) {
      // the lock dies with the process anyway
    }
  }
}
