package io.snapflux.file;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The child JVM of {@link FileStoreCrashTest}: opens a file store of an {@code Integer} counter
 * with durability {@code args[2]} and increments it from {@code args[1]} threads until killed,
 * printing {@code "ack <v> <d>"} for every version {@code v} an update returned ({@code SYNC}: only
 * after it was on disk), with {@code d} the durable version the store reported after it. Every
 * version's state equals its version, which is what the parent checks after recovery.
 */
public final class CrashChild {

  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int threads = Integer.parseInt(args[1]);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
    FileStore<Integer> store = FileStore.builder(0, Integer.class)
        .directory(dir)
        .durability(Durability.valueOf(args[2]))
        .flushInterval(java.time.Duration.ofMillis(20))
        .build();
    out.println("open " + store.snapshot().version() + " " + store.snapshot().state());
    for (int t = 0; t < threads; t++) {
      Thread writer = new Thread(() -> {
        for (;;) {
          long v = store.update(n -> n + 1).version();
          // println on an autoflush stream: one write(2) per line.
          out.println("ack " + v + " " + store.durableVersion());
        }
      }, "writer-" + t);
      writer.start();
    }
    Thread.currentThread().join(); // until SIGKILL
  }
}
