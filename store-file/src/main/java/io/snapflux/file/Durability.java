package io.snapflux.file;

/** When a {@link FileStore} acknowledges an update, relative to the update reaching the disk. */
public enum Durability {

  /**
   * An update returns only after its version has been written to the journal and the journal
   * has been forced to the storage device ({@code fsync}). Concurrent writers are group-committed:
   * one write and one fsync cover every version committed while the previous fsync ran. Readers
   * see a version only once it is durable. No acknowledged or visible version is lost by a
   * process crash, a kernel crash or a power loss (given a device that honours fsync), so the
   * store keeps its {@linkplain FileStore#epoch() epoch} across them.
   */
  SYNC,

  /**
   * An update returns as soon as it is committed in memory. The journal writes and fsyncs the
   * newest version at most once per {@linkplain FileStoreBuilder#flushInterval(java.time.Duration)
   * flush interval}, counted from the start of the previous flush: a version is durable at most
   * one flush interval plus one write and fsync after its commit, and a crash loses at most the
   * versions committed in that window (while fsyncs hang, at most those committed within the
   * {@linkplain FileStoreBuilder#stallTimeout(java.time.Duration) stall timeout}, after which
   * updates are refused). Readers see versions before they are durable; a reopen after an
   * unclean shutdown therefore starts a new {@linkplain FileStore#epoch() epoch}.
   */
  ASYNC
}
