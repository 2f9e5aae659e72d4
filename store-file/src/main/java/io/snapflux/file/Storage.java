package io.snapflux.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Every file-system operation a file store makes: the seam through which tests substitute a
 * simulated disk that loses unsynced writes and directory entries at a simulated power loss
 * ({@code SimulatedDisk} in the tests). The store never touches {@link Files} or opens a {@link
 * FileChannel} except through this interface.
 *
 * <p>Durability is explicit: data written through a channel is durable only after {@link
 * FileChannel#force(boolean)}; a created, renamed, linked or deleted directory entry only after
 * {@link #forceDirectory(Path)} of the directory holding it.
 */
interface Storage {

  /** The real file system. */
  Storage DEFAULT = new RealStorage();

  boolean exists(Path path);

  boolean isDirectory(Path path);

  /** Creates one directory level; its parent must exist. */
  void createDirectory(Path dir) throws IOException;

  FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException;

  /** Renames {@code from} over {@code to} atomically. */
  void replace(Path from, Path to) throws IOException;

  /** A second name for {@code existing}; copies it where hard links are not supported. */
  void link(Path link, Path existing) throws IOException;

  void deleteIfExists(Path path) throws IOException;

  /** Makes the entries of {@code dir} (creations, renames, deletions) durable. */
  void forceDirectory(Path dir) throws IOException;

  /** An identity of the file now named {@code path}, to notice it was replaced or removed. */
  @Nullable Object fileKey(Path path) throws IOException;

  /** An exclusive lock on {@code file} (created if missing), or {@code null} if held elsewhere. */
  @Nullable AutoCloseable tryLock(Path file) throws IOException;

  /** The real file system, through {@link Files} and {@link FileChannel}. */
  final class RealStorage implements Storage {

    private RealStorage() {}

    @Override
    public boolean exists(Path path) {
      return Files.exists(path);
    }

    @Override
    public boolean isDirectory(Path path) {
      return Files.isDirectory(path);
    }

    @Override
    public void createDirectory(Path dir) throws IOException {
      Files.createDirectory(dir);
    }

    @Override
    public FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException {
      return FileChannel.open(file, options);
    }

    @Override
    public void replace(Path from, Path to) throws IOException {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void link(Path link, Path existing) throws IOException {
      try {
        Files.createLink(link, existing);
      } catch (UnsupportedOperationException | IOException e) {
        Files.deleteIfExists(link);
        Files.copy(existing, link);
        try (FileChannel ch = FileChannel.open(link, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
      }
    }

    @Override
    public void deleteIfExists(Path path) throws IOException {
      Files.deleteIfExists(path);
    }

    @Override
    public void forceDirectory(Path dir) throws IOException {
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      } catch (IOException e) {
        // Windows cannot open a directory as a channel; its renames are durable on return.
        if (!System.getProperty("os.name", "").startsWith("Windows")) {
          throw e;
        }
      }
    }

    @Override
    public @Nullable Object fileKey(Path path) throws IOException {
      return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    }

    @Override
    public @Nullable AutoCloseable tryLock(Path file) throws IOException {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        FileLock lock = ch.tryLock();
        if (lock == null) {
          ch.close();
          return null;
        }
        return () -> {
          try {
            lock.release();
          } finally {
            ch.close();
          }
        };
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    }
  }
}
