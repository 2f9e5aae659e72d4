package io.snapflux.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A simulated disk for power-loss tests, in the spirit of SQLite's crash-test VFS and LazyFS: an
 * in-memory file system that keeps, for every file, what is durable (as of its last successful
 * {@code force}) apart from the writes made since, and, for every directory, its durable entries
 * (as of its last {@link #forceDirectory}) apart from the creations, renames, links and deletions
 * made since. {@link #powerLoss(Random, boolean)} then decides, sector by sector, what of the
 * unsynced writes reached the platter (new data, old data, or with {@code garbage} a torn
 * sector of random bytes), whether unsynced size changes did, and drops every unsynced
 * directory change. A store reopened on the disk sees exactly what survived.
 *
 * <p>Faults: {@link #fault(Fault)} runs before each operation and may throw (an I/O error, a
 * full disk) or block (a stalled fsync). Thread-safe: one lock, never held while a fault runs.
 */
final class SimulatedDisk implements Storage {

  static final int SECTOR = 512;

  /** Runs before an operation ({@code op}: write, force, forceDirectory, replace, link, ...). */
  @FunctionalInterface
  interface Fault {
    void before(String op, Path path) throws IOException;
  }

  private sealed interface Op permits Write, Truncate {}

  private record Write(long position, byte[] data) implements Op {}

  private record Truncate(long size) implements Op {}

  /** A regular file. */
  static final class Inode {
    byte[] durable = new byte[0];
    byte[] current = new byte[0];
    final List<Op> unsynced = new ArrayList<>();
  }

  private static final class Dir {
    Map<String, Object> current = new LinkedHashMap<>();
    Map<String, Object> durable = new LinkedHashMap<>();
  }

  private final Dir root = new Dir();
  private final Set<Inode> locked = new HashSet<>();
  private volatile Fault fault = (op, path) -> {};

  void fault(Fault f) {
    this.fault = f;
  }

  private void before(String op, Path path) throws IOException {
    fault.before(op, path);
  }

  // --- the tree ----------------------------------------------------------------------------------

  private @Nullable Object lookup(Path path) {
    Object node = root;
    for (Path name : path.toAbsolutePath()) {
      if (!(node instanceof Dir d)) {
        return null;
      }
      node = d.current.get(name.toString());
      if (node == null) {
        return null;
      }
    }
    return node;
  }

  private Dir parentOf(Path path) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    Object p = parent == null ? root : lookup(parent);
    if (!(p instanceof Dir d)) {
      throw new NoSuchFileException(String.valueOf(parent));
    }
    return d;
  }

  private static String nameOf(Path path) {
    return path.getFileName().toString();
  }

  private Inode inode(Path path) throws IOException {
    Object node = lookup(path);
    if (!(node instanceof Inode i)) {
      throw new NoSuchFileException(path.toString());
    }
    return i;
  }

  /** Overwrites bytes of {@code path} durably: media damage, not a write by the store. */
  synchronized void damage(Path path, long offset, byte xor) throws IOException {
    Inode i = inode(path);
    i.current[(int) offset] ^= xor;
    i.durable[(int) offset] ^= xor;
  }

  synchronized List<String> list(Path dir) {
    Object node = lookup(dir);
    return node instanceof Dir d ? List.copyOf(d.current.keySet()) : List.of();
  }

  // --- power loss --------------------------------------------------------------------------------

  /**
   * A power loss: every file keeps its durable content plus, sector by sector, a random choice
   * among the unsynced writes (the new bytes, the old ones, or with {@code garbage} random
   * bytes); each unsynced size change survives or not; every unsynced directory change is lost.
   * Open channels and locks are gone.
   */
  synchronized void powerLoss(Random random, boolean garbage) {
    locked.clear();
    settle(root, (content, op) -> persistSome(content, op, random, garbage), new HashSet<>());
  }

  /**
   * A power loss after the kernel wrote back every unsynced write but no unsynced size change
   * (a truncation): the ordering that makes a forced truncation necessary.
   */
  synchronized void powerLossKeepingWritesOnly() {
    locked.clear();
    settle(root, (content, op) -> op instanceof Write w ? apply(content, w) : content,
        new HashSet<>());
  }

  /** Drops unsynced directory entries; applies what {@code persist} keeps of unsynced writes. */
  private void settle(Dir d, java.util.function.BiFunction<byte[], Op, byte[]> persist,
      Set<Inode> seen) {
    d.current = new LinkedHashMap<>(d.durable);
    for (Object child : d.current.values()) {
      if (child instanceof Dir c) {
        settle(c, persist, seen);
      } else if (child instanceof Inode i && seen.add(i)) {
        byte[] content = i.durable.clone();
        for (Op op : i.unsynced) {
          content = persist.apply(content, op);
        }
        i.durable = content;
        i.current = content.clone();
        i.unsynced.clear();
      }
    }
  }

  private static byte[] apply(byte[] content, Write w) {
    long end = w.position() + w.data().length;
    byte[] out = end > content.length ? resize(content, end) : content;
    System.arraycopy(w.data(), 0, out, (int) w.position(), w.data().length);
    return out;
  }

  private static byte[] persistSome(byte[] content, Op op, Random random, boolean garbage) {
    if (op instanceof Truncate t) {
      return random.nextBoolean() ? resize(content, t.size()) : content;
    }
    Write w = (Write) op;
    long end = w.position() + w.data().length;
    byte[] out = end > content.length && random.nextBoolean() ? resize(content, end) : content;
    for (long s = w.position() / SECTOR * SECTOR; s < end; s += SECTOR) {
      int choice = random.nextInt(garbage ? 3 : 2);
      for (long b = Math.max(s, w.position()); b < Math.min(s + SECTOR, end); b++) {
        if (b >= out.length) {
          break;
        }
        if (choice == 1) {
          out[(int) b] = w.data()[(int) (b - w.position())];
        } else if (choice == 2) {
          out[(int) b] = (byte) random.nextInt();
        }
      }
      if (choice == 2) {
        // A torn sector is garbage as a whole, also where the write did not touch it.
        for (long b = s; b < Math.min(s + SECTOR, out.length); b++) {
          out[(int) b] = (byte) random.nextInt();
        }
      }
    }
    return out;
  }

  private static byte[] resize(byte[] content, long size) {
    return Arrays.copyOf(content, (int) size);
  }

  // --- Storage -----------------------------------------------------------------------------------

  @Override
  public synchronized boolean exists(Path path) {
    return lookup(path) != null;
  }

  @Override
  public synchronized boolean isDirectory(Path path) {
    return lookup(path) instanceof Dir;
  }

  @Override
  public void createDirectory(Path dir) throws IOException {
    before("createDirectory", dir);
    synchronized (this) {
      Dir parent = parentOf(dir);
      if (parent.current.containsKey(nameOf(dir))) {
        throw new FileAlreadyExistsException(dir.toString());
      }
      parent.current.put(nameOf(dir), new Dir());
    }
  }

  @Override
  public FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException {
    before("open", file);
    synchronized (this) {
      Object node = lookup(file);
      Inode inode;
      if (node == null) {
        if (!options.contains(StandardOpenOption.CREATE)) {
          throw new NoSuchFileException(file.toString());
        }
        inode = new Inode();
        parentOf(file).current.put(nameOf(file), inode);
      } else if (node instanceof Inode i) {
        inode = i;
      } else {
        throw new IOException(file + " is a directory");
      }
      if (options.contains(StandardOpenOption.TRUNCATE_EXISTING)
          && options.contains(StandardOpenOption.WRITE) && inode.current.length > 0) {
        inode.current = new byte[0];
        inode.unsynced.add(new Truncate(0));
      }
      return new SimChannel(file, inode);
    }
  }

  @Override
  public void replace(Path from, Path to) throws IOException {
    before("replace", to);
    synchronized (this) {
      Object node = parentOf(from).current.remove(nameOf(from));
      if (node == null) {
        throw new NoSuchFileException(from.toString());
      }
      parentOf(to).current.put(nameOf(to), node);
    }
  }

  @Override
  public void link(Path link, Path existing) throws IOException {
    before("link", link);
    synchronized (this) {
      Inode i = inode(existing);
      parentOf(link).current.put(nameOf(link), i);
    }
  }

  @Override
  public void deleteIfExists(Path path) throws IOException {
    before("delete", path);
    synchronized (this) {
      parentOf(path).current.remove(nameOf(path));
    }
  }

  @Override
  public void forceDirectory(Path dir) throws IOException {
    before("forceDirectory", dir);
    synchronized (this) {
      Object node = lookup(dir);
      if (!(node instanceof Dir d)) {
        throw new NoSuchFileException(dir.toString());
      }
      d.durable = new LinkedHashMap<>(d.current);
    }
  }

  @Override
  public synchronized @Nullable Object fileKey(Path path) throws IOException {
    return inode(path);
  }

  @Override
  public synchronized @Nullable AutoCloseable tryLock(Path file) throws IOException {
    Object node = lookup(file);
    Inode i;
    if (node instanceof Inode existing) {
      i = existing;
    } else {
      i = new Inode();
      parentOf(file).current.put(nameOf(file), i);
    }
    if (!locked.add(i)) {
      return null;
    }
    return () -> {
      synchronized (SimulatedDisk.this) {
        locked.remove(i);
      }
    };
  }

  /** A channel on one simulated file; positional reads and writes, force, truncate. */
  private final class SimChannel extends FileChannel {

    private final Path path;
    private final Inode inode;
    private long position;

    SimChannel(Path path, Inode inode) {
      this.path = path;
      this.inode = inode;
    }

    private void checkOpen() throws IOException {
      if (!isOpen()) {
        throw new ClosedChannelException();
      }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      int n = read(dst, position);
      if (n > 0) {
        position += n;
      }
      return n;
    }

    @Override
    public int read(ByteBuffer dst, long pos) throws IOException {
      synchronized (SimulatedDisk.this) {
        checkOpen();
        byte[] c = inode.current;
        if (pos >= c.length) {
          return -1;
        }
        int n = (int) Math.min(dst.remaining(), c.length - pos);
        dst.put(c, (int) pos, n);
        return n;
      }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      int n = write(src, position);
      position += n;
      return n;
    }

    @Override
    public int write(ByteBuffer src, long pos) throws IOException {
      before("write", path);
      synchronized (SimulatedDisk.this) {
        checkOpen();
        byte[] data = new byte[src.remaining()];
        src.get(data);
        long end = pos + data.length;
        if (end > inode.current.length) {
          inode.current = Arrays.copyOf(inode.current, (int) end);
        }
        System.arraycopy(data, 0, inode.current, (int) pos, data.length);
        inode.unsynced.add(new Write(pos, data));
        return data.length;
      }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public FileChannel position(long newPosition) {
      position = newPosition;
      return this;
    }

    @Override
    public long size() throws IOException {
      synchronized (SimulatedDisk.this) {
        checkOpen();
        return inode.current.length;
      }
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      before("truncate", path);
      synchronized (SimulatedDisk.this) {
        checkOpen();
        if (size < inode.current.length) {
          inode.current = Arrays.copyOf(inode.current, (int) size);
          inode.unsynced.add(new Truncate(size));
        }
        return this;
      }
    }

    @Override
    public void force(boolean metaData) throws IOException {
      before("force", path);
      synchronized (SimulatedDisk.this) {
        checkOpen();
        inode.durable = inode.current.clone();
        inode.unsynced.clear();
      }
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
      throw new UnsupportedOperationException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    protected void implCloseChannel() {
      // Nothing to release: the data lives in the inode.
    }
  }
}
