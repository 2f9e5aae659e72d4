package io.snapflux.file;

/** When a {@link FileStore} acknowledges an update, relative to the update reaching the disk. */
public enum Durability {

  /**
   * An update returns only after its version has been written to the journal and the journal
   * has been forced to the storage device ({@code fsync}). Concurrent writers are group-committed:
   * one write and one fsync cover every version committed while the previous fsync ran. No
   * acknowledged version is lost by a process crash, a kernel crash or a power loss (given a
   * device that honours fsync).
   */
  SYNC,

  /**
   * An update returns as soon as it is committed in memory. The journal writes and fsyncs the
   * newest version at most once per {@linkplain FileStoreBuilder#flushInterval(java.time.Duration)
   * flush interval}: a crash loses at most the versions committed during the last flush interval
   * plus the duration of one write and fsync.
   */
  ASYNC
}
