package io.kinhub.server.tree;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * A temporary file under the data directory, deleted from the directory as soon as it is open, so
 * nothing is left behind even by a crash: written once, then read from the start. Uploads are
 * spooled here before an import takes a database connection, and exports are snapshotted here
 * before they are sent.
 */
final class Spool implements AutoCloseable {
  private final FileChannel channel;

  private Spool(FileChannel channel) {
    this.channel = channel;
  }

  static Spool create(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("spool-" + UUID.randomUUID() + ".tmp");
    FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE,
            StandardOpenOption.DELETE_ON_CLOSE);
    try {
      Files.deleteIfExists(
          file); // the open channel keeps the data; DELETE_ON_CLOSE covers systems that refuse
    } catch (IOException e) {
      // still removed on close
    }
    return new Spool(channel);
  }

  /** Appends bytes. */
  void write(byte[] bytes, int offset, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  /** An output stream appending to the file (not closing it). */
  OutputStream output() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        Spool.this.write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        Spool.this.write(b, off, len);
      }
    };
  }

  long size() throws IOException {
    return channel.size();
  }

  /** The content from the start, with a position of its own (closing it leaves the file open). */
  InputStream input() {
    return new InputStream() {
      private long position;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        int n = channel.read(ByteBuffer.wrap(b, off, len), position);
        if (n > 0) {
          position += n;
        }
        return n;
      }
    };
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
