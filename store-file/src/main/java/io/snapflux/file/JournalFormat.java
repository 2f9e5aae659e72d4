package io.snapflux.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The byte layout of the snapshot file and the journal (big-endian throughout).
 *
 * <pre>
 * Block 0: file header (48 bytes, then zeros up to BLOCK = 4096):
 *   magic           8  "SNPFLXS2" (snapshot) or "SNPFLXJ2" (journal)
 *   formatVersion   4  2
 *   schemaVersion   4  the version of the state's shape (FileStoreBuilder.schemaVersion)
 *   baseVersion     8  journal: the snapshot version it follows; snapshot: its version
 *   epoch           8  the store's history epoch (FileStore.epoch())
 *   salt            8  random, new for every file written; every record repeats it
 *   flags           4  bit 0: written by a store with ASYNC durability
 *   crc32c          4  of the 44 bytes above
 *
 * Records, each starting at a multiple of BLOCK; the snapshot file holds exactly one:
 *   length          4  of the payload
 *   type            4  1 = state, 2 = close marker (clean shutdown; no payload)
 *   version         8  the store version the record holds (close: the last one written)
 *   salt            8  the file header's salt
 *   headCrc         4  crc32c of the 24 bytes above
 *   crc32c          4  crc32c of the 24 head bytes and the payload
 *   payload (state records):
 *     timestamp     8  commit time, ms since the epoch
 *     causeLength   4  -1 for no cause
 *     cause         causeLength bytes of UTF-8 (String.valueOf(cause))
 *     state         the rest: the codec's bytes
 *   zeros up to the next multiple of BLOCK
 * </pre>
 *
 * Why blocks: an append never rewrites the block holding an acknowledged record, so a torn write
 * (a device that garbles a whole sector on power loss) can only damage the record being written;
 * and a reader can look for intact records after a damaged one at block boundaries, because a
 * damaged length field no longer hides where the next record starts. Why the salt: a record left
 * in reused disk blocks or in an older file with the same name fails the salt check instead of
 * passing for a record of this file (SQLite's WAL salts). Why the head checksum: a damaged length
 * is recognised as damage, not as a record running past the end of the file (a torn tail).
 *
 * Every state record holds a full state, so the newest valid record alone restores the store;
 * older ones are redundant once it is durable, which is why the journal may skip versions.
 */
final class JournalFormat {

  static final long SNAPSHOT_MAGIC = 0x534E50464C585332L; // "SNPFLXS2"
  static final long JOURNAL_MAGIC = 0x534E50464C584A32L; // "SNPFLXJ2"
  static final int FORMAT_VERSION = 2;
  static final int BLOCK = 4096;
  static final int HEADER_SIZE = 48;
  static final int RECORD_HEAD_SIZE = 32;
  static final int MIN_PAYLOAD = 12;
  static final int TYPE_STATE = 1;
  static final int TYPE_CLOSE = 2;
  static final int FLAG_ASYNC = 1;
  /** A larger length is damage: no state of a store is near 1 GiB. */
  static final int MAX_PAYLOAD = 1 << 30;

  private static final SecureRandom RANDOM = new SecureRandom();

  private JournalFormat() {}

  record Header(long magic, int schemaVersion, long baseVersion, long epoch, long salt,
      int flags) {

    boolean async() {
      return (flags & FLAG_ASYNC) != 0;
    }
  }

  /** One decoded state record; {@code state} holds the codec's bytes. */
  record Entry(long version, long timestampMillis, @Nullable String cause, byte[] state,
      long offset) {}

  /**
   * The result of reading a journal.
   *
   * @param last the newest valid state record
   * @param closed whether the last valid record is a close marker for {@code last}: the store
   *     that wrote the file shut down cleanly
   * @param validEnd where the valid records end (the start of the discarded tail, if any)
   * @param tailProblem what ended the scan before the end of the file, if anything: a torn or
   *     damaged last record, or stale data
   * @param torn whether the tail problem looks like an interrupted write (short or zeroed)
   *     rather than damage
   * @param damaged damaged records followed by intact ones, each naming its offset
   */
  record Scan(Header header, @Nullable Entry last, int validRecords, boolean closed,
      long validEnd, long size, @Nullable String tailProblem, boolean torn,
      List<String> damaged) {}

  static long newRandomId() {
    long id;
    do {
      id = RANDOM.nextLong();
    } while (id == 0);
    return id;
  }

  static long align(long offset) {
    return (offset + BLOCK - 1) / BLOCK * BLOCK;
  }

  /** The header block: the header, padded with zeros to {@link #BLOCK}. */
  static ByteBuffer header(Header h) {
    ByteBuffer b = ByteBuffer.allocate(BLOCK);
    b.putLong(h.magic()).putInt(FORMAT_VERSION).putInt(h.schemaVersion())
        .putLong(h.baseVersion()).putLong(h.epoch()).putLong(h.salt()).putInt(h.flags());
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, HEADER_SIZE - 4);
    b.putInt((int) crc.getValue());
    return b.clear();
  }

  /** A state record, padded to a whole number of blocks. */
  static ByteBuffer record(long version, long timestampMillis, @Nullable Object cause,
      byte[] state, long salt) {
    byte[] causeBytes = cause == null ? null
        : String.valueOf(cause).getBytes(StandardCharsets.UTF_8);
    int payload = MIN_PAYLOAD + (causeBytes == null ? 0 : causeBytes.length) + state.length;
    ByteBuffer b = head(TYPE_STATE, version, salt, payload);
    b.putLong(timestampMillis).putInt(causeBytes == null ? -1 : causeBytes.length);
    if (causeBytes != null) {
      b.put(causeBytes);
    }
    b.put(state);
    return seal(b, payload);
  }

  /** The close marker: the store shut down cleanly after writing {@code version}. */
  static ByteBuffer closeRecord(long version, long salt) {
    return seal(head(TYPE_CLOSE, version, salt, 0), 0);
  }

  private static ByteBuffer head(int type, long version, long salt, int payload) {
    ByteBuffer b = ByteBuffer.allocate((int) align(RECORD_HEAD_SIZE + payload));
    b.putInt(payload).putInt(type).putLong(version).putLong(salt);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, 24);
    b.putInt((int) crc.getValue()).putInt(0);
    return b;
  }

  private static ByteBuffer seal(ByteBuffer b, int payload) {
    b.putInt(28, bodyChecksum(b.array(), payload));
    return b.clear();
  }

  /** CRC32C of a record's first 24 bytes and its payload. */
  private static int bodyChecksum(byte[] record, int payloadLength) {
    CRC32C crc = new CRC32C();
    crc.update(record, 0, 24);
    crc.update(record, RECORD_HEAD_SIZE, payloadLength);
    return (int) crc.getValue();
  }

  static Header readHeader(FileChannel ch, long expectedMagic, Path file) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
    readFully(ch, b, 0);
    if (b.hasRemaining()) {
      throw CorruptStoreException.inFile(file + ": file header is truncated (" + b.position()
          + " of " + HEADER_SIZE + " bytes)");
    }
    b.flip();
    long magic = b.getLong();
    int format = b.getInt();
    int schema = b.getInt();
    long base = b.getLong();
    long epoch = b.getLong();
    long salt = b.getLong();
    int flags = b.getInt();
    int stored = b.getInt();
    if (magic == (expectedMagic & ~0xFFL | '1')) {
      throw CorruptStoreException.inFile(file + ": written in file format 1 (snapflux-file before "
          + "format 2 added epochs, salts and block-aligned records); this version reads format "
          + FORMAT_VERSION + " only. Open the directory once with the previous version and "
          + "export the state, or start a new store");
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, HEADER_SIZE - 4);
    if (stored != (int) crc.getValue()) {
      throw CorruptStoreException.inFile(file + ": file header checksum mismatch (offset 0)");
    }
    if (magic != expectedMagic) {
      throw CorruptStoreException.inFile(file + ": not a Snapflux "
          + (expectedMagic == JOURNAL_MAGIC ? "journal" : "snapshot") + " file (bad magic)");
    }
    if (format != FORMAT_VERSION) {
      throw CorruptStoreException.inFile(file + ": unsupported file format version " + format
          + " (this version of snapflux-file reads " + FORMAT_VERSION + ")");
    }
    return new Header(magic, schema, base, epoch, salt, flags);
  }

  /** A record read at one offset: the entry (null for a close marker), or why it is invalid. */
  private record Read(@Nullable Entry entry, int type, long version, long end,
      @Nullable String problem, boolean torn) {

    static Read invalid(String problem, boolean torn) {
      return new Read(null, 0, -1, -1, problem, torn);
    }
  }

  private static Read readRecord(FileChannel ch, Header header, long pos, long size)
      throws IOException {
    long remaining = size - pos;
    if (remaining < RECORD_HEAD_SIZE) {
      return Read.invalid("torn record head (" + remaining + " bytes before end of file)", true);
    }
    ByteBuffer head = ByteBuffer.allocate(RECORD_HEAD_SIZE);
    readFully(ch, head, pos);
    byte[] h = head.array();
    head.flip();
    int length = head.getInt();
    int type = head.getInt();
    long version = head.getLong();
    long salt = head.getLong();
    int headCrc = head.getInt();
    int bodyCrc = head.getInt();
    CRC32C crc = new CRC32C();
    crc.update(h, 0, 24);
    if (headCrc != (int) crc.getValue()) {
      boolean zeros = true;
      for (byte x : h) {
        zeros &= x == 0;
      }
      return Read.invalid(zeros ? "zeroed record head" : "record head checksum mismatch", zeros);
    }
    if (salt != header.salt()) {
      return Read.invalid("record of another file (salt mismatch)", true);
    }
    if ((type != TYPE_STATE && type != TYPE_CLOSE) || length < 0 || length > MAX_PAYLOAD
        || (type == TYPE_STATE && length < MIN_PAYLOAD) || (type == TYPE_CLOSE && length != 0)) {
      return Read.invalid("impossible record (type " + type + ", length " + length + ")", false);
    }
    if (length > remaining - RECORD_HEAD_SIZE) {
      return Read.invalid("record of " + length + " bytes runs past the end of the file", true);
    }
    ByteBuffer rec = ByteBuffer.allocate(RECORD_HEAD_SIZE + length);
    rec.put(h);
    readFully(ch, rec, pos + RECORD_HEAD_SIZE);
    if (bodyChecksum(rec.array(), length) != bodyCrc) {
      return Read.invalid("checksum mismatch in record of version " + version, false);
    }
    long end = align(pos + RECORD_HEAD_SIZE + length);
    return new Read(type == TYPE_STATE ? decode(rec, pos) : null, type, version, end, null,
        false);
  }

  /**
   * Reads the records of a journal. At the first invalid record, looks for an intact record of
   * this file with a newer version at a later block boundary: if there is one, the invalid
   * record was damaged after it was written (every record is forced before the next is
   * written), the damage is reported in {@link Scan#damaged()}, and reading goes on from there;
   * if there is none, the invalid record ends the valid prefix ({@link Scan#tailProblem()}).
   */
  static Scan scan(FileChannel ch, Header header, Path file) throws IOException {
    long size = ch.size();
    long pos = BLOCK;
    Entry last = null;
    int valid = 0;
    boolean closed = false;
    List<String> damaged = new ArrayList<>();
    String tailProblem = null;
    boolean torn = false;
    while (pos < size) {
      Read r = readRecord(ch, header, pos, size);
      String problem = r.problem();
      if (problem == null) {
        if (closed) {
          problem = "record after the close marker";
        } else if (r.type() == TYPE_CLOSE) {
          if (last == null || r.version() != last.version()) {
            problem = "close marker for version " + r.version() + " does not follow it";
          }
        } else if (last != null && r.version() <= last.version()) {
          problem = "version " + r.version() + " does not follow version " + last.version();
        }
      }
      if (problem == null) {
        if (r.type() == TYPE_CLOSE) {
          closed = true;
        } else {
          last = r.entry();
          valid++;
        }
        pos = r.end();
        continue;
      }
      long next = nextIntact(ch, header, pos, size, last == null ? -1 : last.version());
      if (next < 0) {
        tailProblem = problem;
        torn = r.torn();
        break;
      }
      damaged.add(problem + " at offset " + pos + ", followed by intact records from offset "
          + next);
      closed = false;
      pos = next;
    }
    return new Scan(header, last, valid, closed, tailProblem == null ? size : pos, size,
        tailProblem, torn, List.copyOf(damaged));
  }

  /** The offset of the first intact state record newer than {@code after} past {@code pos}. */
  private static long nextIntact(FileChannel ch, Header header, long pos, long size, long after)
      throws IOException {
    for (long q = align(pos + 1); q < size; q += BLOCK) {
      Read r = readRecord(ch, header, q, size);
      if (r.problem() == null && r.type() == TYPE_STATE && r.version() > after) {
        return q;
      }
    }
    return -1;
  }

  /** Reads the one record of a snapshot file, which must be valid and end the file. */
  static Entry readSnapshotRecord(FileChannel ch, Header header, Path file) throws IOException {
    Scan scan = scan(ch, header, file);
    String problem = scan.tailProblem() != null ? scan.tailProblem()
        : scan.damaged().isEmpty() ? null : scan.damaged().get(0);
    if (problem != null) {
      throw CorruptStoreException.inFile(file + ": snapshot record is invalid: " + problem);
    }
    if (scan.last() == null || scan.validRecords() != 1 || scan.closed()) {
      throw CorruptStoreException.inFile(file + ": snapshot file holds " + scan.validRecords()
          + " records instead of 1");
    }
    if (scan.last().version() != header.baseVersion()) {
      throw CorruptStoreException.inFile(file + ": snapshot record has version "
          + scan.last().version() + " but its header says " + header.baseVersion());
    }
    return scan.last();
  }

  private static Entry decode(ByteBuffer rec, long offset) {
    rec.flip();
    int length = rec.getInt();
    rec.getInt();
    long version = rec.getLong();
    rec.position(RECORD_HEAD_SIZE);
    long timestamp = rec.getLong();
    int causeLength = rec.getInt();
    String cause = null;
    if (causeLength >= 0) {
      // Checksummed, so a bad length here is a writer bug, not disk damage.
      byte[] c = new byte[causeLength];
      rec.get(c);
      cause = new String(c, StandardCharsets.UTF_8);
    }
    byte[] state = new byte[length - MIN_PAYLOAD - Math.max(causeLength, 0)];
    rec.get(state);
    return new Entry(version, timestamp, cause, state, offset);
  }

  static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    long pos = position;
    while (b.hasRemaining()) {
      int n = ch.read(b, pos);
      if (n < 0) {
        return;
      }
      pos += n;
    }
  }

  /** Writes all of {@code b} at {@code position}. */
  static void writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    long pos = position;
    while (b.hasRemaining()) {
      pos += ch.write(b, pos);
    }
  }
}
