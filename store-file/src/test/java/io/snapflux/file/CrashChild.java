package io.snapflux.file;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The child JVM of {@link FileStoreCrashTest}: opens a SYNC file store of an {@code Integer}
 * counter and increments it from {@code args[1]} threads until killed, printing {@code "ack <v>"}
 * for every version an update returned (so only after it was on disk). Every version's state
 * equals its version, which is what the parent checks after recovery.
 */
public final class CrashChild {

  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int threads = Integer.parseInt(args[1]);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
    FileStore<Integer> store = FileStore.builder(0, Integer.class)
        .directory(dir)
        .durability(Durability.SYNC)
        .build();
    out.println("open " + store.snapshot().version() + " " + store.get());
    for (int t = 0; t < threads; t++) {
      Thread writer = new Thread(() -> {
        for (;;) {
          long v = store.update(n -> n + 1).version();
          // println on an autoflush stream: one write(2) per line.
          out.println("ack " + v);
        }
      }, "writer-" + t);
      writer.start();
    }
    Thread.currentThread().join(); // until SIGKILL
  }
}
