package io.snapflux.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The byte layout of the snapshot file and the journal (big-endian throughout).
 *
 * <pre>
 * File header (28 bytes):
 *   magic           8  "SNPFLXS1" (snapshot) or "SNPFLXJ1" (journal)
 *   formatVersion   4  1
 *   schemaVersion   4  the version of the state's shape (FileStoreBuilder.schemaVersion)
 *   baseVersion     8  journal: the snapshot version it follows; snapshot: its version
 *   crc32c          4  of the 24 bytes above
 *
 * Record (16-byte head + payload); the snapshot file holds exactly one, the journal any number:
 *   length          4  of the payload
 *   version         8  the store version the record holds
 *   crc32c          4  of length, version and payload
 *   payload:
 *     timestamp     8  commit time, ms since the epoch
 *     causeLength   4  -1 for no cause
 *     cause         causeLength bytes of UTF-8 (String.valueOf(cause))
 *     state         the rest: the codec's bytes
 * </pre>
 *
 * Every record holds a full state, so the newest valid record alone restores the store; older
 * ones are redundant once it is durable, which is why the journal may skip versions.
 */
final class JournalFormat {

  static final long SNAPSHOT_MAGIC = 0x534E50464C585331L; // "SNPFLXS1"
  static final long JOURNAL_MAGIC = 0x534E50464C584A31L; // "SNPFLXJ1"
  static final int FORMAT_VERSION = 1;
  static final int HEADER_SIZE = 28;
  static final int RECORD_HEAD_SIZE = 16;
  static final int MIN_PAYLOAD = 12;

  private JournalFormat() {}

  record Header(long magic, int schemaVersion, long baseVersion) {}

  /** One decoded record; {@code state} holds the codec's bytes. */
  record Entry(long version, long timestampMillis, @Nullable String cause, byte[] state,
      long offset) {}

  /**
   * The result of reading a journal: the newest valid record, where the valid prefix ends, and
   * what stopped the scan if it was not a clean end of file.
   */
  record Scan(Header header, @Nullable Entry last, int validRecords, long validEnd, long size,
      @Nullable String problem, boolean torn) {}

  static ByteBuffer header(long magic, int schemaVersion, long baseVersion) {
    ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
    b.putLong(magic).putInt(FORMAT_VERSION).putInt(schemaVersion).putLong(baseVersion);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, HEADER_SIZE - 4);
    b.putInt((int) crc.getValue());
    return b.flip();
  }

  static ByteBuffer record(long version, long timestampMillis, @Nullable Object cause,
      byte[] state) {
    byte[] causeBytes = cause == null ? null
        : String.valueOf(cause).getBytes(StandardCharsets.UTF_8);
    int payload = MIN_PAYLOAD + (causeBytes == null ? 0 : causeBytes.length) + state.length;
    ByteBuffer b = ByteBuffer.allocate(RECORD_HEAD_SIZE + payload);
    b.putInt(payload).putLong(version).putInt(0);
    b.putLong(timestampMillis).putInt(causeBytes == null ? -1 : causeBytes.length);
    if (causeBytes != null) {
      b.put(causeBytes);
    }
    b.put(state);
    b.putInt(12, checksum(b.array(), payload));
    return b.flip();
  }

  /** CRC32C of a record's length and version (bytes 0..11) and its payload (16..). */
  private static int checksum(byte[] record, int payloadLength) {
    CRC32C crc = new CRC32C();
    crc.update(record, 0, 12);
    crc.update(record, RECORD_HEAD_SIZE, payloadLength);
    return (int) crc.getValue();
  }

  static Header readHeader(FileChannel ch, long expectedMagic, Path file) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
    readFully(ch, b, 0);
    if (b.hasRemaining()) {
      throw new CorruptStoreException(file + ": file header is truncated (" + b.position()
          + " of " + HEADER_SIZE + " bytes)");
    }
    b.flip();
    long magic = b.getLong();
    int format = b.getInt();
    int schema = b.getInt();
    long base = b.getLong();
    int stored = b.getInt();
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, HEADER_SIZE - 4);
    if (stored != (int) crc.getValue()) {
      throw new CorruptStoreException(file + ": file header checksum mismatch (offset 0)");
    }
    if (magic != expectedMagic) {
      throw new CorruptStoreException(file + ": not a Snapflux "
          + (expectedMagic == JOURNAL_MAGIC ? "journal" : "snapshot") + " file (bad magic)");
    }
    if (format != FORMAT_VERSION) {
      throw new CorruptStoreException(file + ": unsupported file format version " + format
          + " (this version of snapflux-file reads " + FORMAT_VERSION + ")");
    }
    return new Header(magic, schema, base);
  }

  /**
   * Reads records from {@code position} until the end of the file or the first invalid record
   * (a record running past the end of the file, a checksum mismatch, an impossible length or a
   * version not newer than its predecessor).
   */
  static Scan scan(FileChannel ch, Header header, Path file) throws IOException {
    long size = ch.size();
    long pos = HEADER_SIZE;
    Entry last = null;
    int valid = 0;
    String problem = null;
    boolean torn = false;
    ByteBuffer head = ByteBuffer.allocate(RECORD_HEAD_SIZE);
    while (pos < size) {
      long remaining = size - pos;
      if (remaining < RECORD_HEAD_SIZE) {
        problem = "torn record head (" + remaining + " bytes before end of file)";
        torn = true;
        break;
      }
      head.clear();
      readFully(ch, head, pos);
      head.flip();
      int length = head.getInt();
      long version = head.getLong();
      int stored = head.getInt();
      if (length < MIN_PAYLOAD) {
        problem = "impossible record length " + length;
        break;
      }
      if (length > remaining - RECORD_HEAD_SIZE) {
        problem = "record of " + length + " bytes runs past the end of the file";
        torn = true;
        break;
      }
      ByteBuffer rec = ByteBuffer.allocate(RECORD_HEAD_SIZE + length);
      rec.put(head.array());
      readFully(ch, rec, pos + RECORD_HEAD_SIZE);
      if (checksum(rec.array(), length) != stored) {
        problem = "checksum mismatch in record of version " + version;
        break;
      }
      if (last != null && version <= last.version()) {
        problem = "version " + version + " does not follow version " + last.version();
        break;
      }
      last = decode(rec, pos);
      valid++;
      pos += RECORD_HEAD_SIZE + length;
    }
    return new Scan(header, last, valid, pos, size, problem, torn);
  }

  /** Reads the one record of a snapshot file, which must be valid and end the file. */
  static Entry readSnapshotRecord(FileChannel ch, Header header, Path file) throws IOException {
    Scan scan = scan(ch, header, file);
    if (scan.problem() != null) {
      throw new CorruptStoreException(file + ": snapshot record at offset " + scan.validEnd()
          + " is invalid: " + scan.problem());
    }
    if (scan.last() == null || scan.validRecords() != 1) {
      throw new CorruptStoreException(file + ": snapshot file holds " + scan.validRecords()
          + " records instead of 1");
    }
    if (scan.last().version() != header.baseVersion()) {
      throw new CorruptStoreException(file + ": snapshot record has version "
          + scan.last().version() + " but its header says " + header.baseVersion());
    }
    return scan.last();
  }

  private static Entry decode(ByteBuffer rec, long offset) {
    rec.flip();
    int length = rec.getInt();
    long version = rec.getLong();
    rec.getInt();
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

  static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}
