package io.snapflux.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety: a child JVM increments a SYNC file store under write load and is killed with
 * SIGKILL; the store reopened in this JVM must hold every version the child acknowledged.
 *
 * <p>What is guaranteed, exactly. The child prints {@code ack v} only after {@code update}
 * returned version {@code v}, i.e. after the fsync that covers {@code v}. Let {@code a} be the
 * largest version printed (read to the end of the pipe after the kill, complete lines only).
 * Then {@code v_recovered >= a}: no acknowledged version is lost. Versions above {@code a} were
 * committed but not printed: each of the {@code T} writer threads has at most one such version in
 * flight (it commits its next one only after printing), so {@code v_recovered <= a + T}. And
 * since every commit adds one to a counter starting at 0, the recovered state must equal the
 * recovered version: state and version belong together.
 */
final class FileStoreCrashTest {

  private static final int THREADS = 3;

  @TempDir Path dir;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void sigkill_syncStore_keepsEveryAcknowledgedVersion() throws Exception {
    long previous = 0;
    for (int round = 1; round <= 2; round++) {
      Result r = runAndKill(dir, Durability.SYNC, 400, 0);
      assertThat(r.openedAt).as("round %d opened at the version recovered before", round)
          .isEqualTo(previous);
      assertThat(r.acks).as("acks in round %d", round).isGreaterThanOrEqualTo(400);

      try (FileStore<Integer> store = FileStore.builder(0, Integer.class).directory(dir).build()) {
        long recovered = store.snapshot().version();
        System.out.printf("sync round %d: %d acknowledged, last acknowledged %d, recovered %d "
            + "(%s)%n", round, r.acks, r.lastAck, recovered, store.recovery());
        assertThat(recovered).as("no acknowledged version lost").isGreaterThanOrEqualTo(r.lastAck);
        assertThat(recovered).as("at most one unacknowledged version per writer")
            .isLessThanOrEqualTo(r.lastAck + THREADS);
        assertThat(store.snapshot().state().longValue()).as("state consistent with version")
            .isEqualTo(recovered);
        assertThat(store.recovery().newEpoch())
            .as("SYNC showed only durable versions: the kill lost nothing seen, same epoch")
            .isFalse();
        previous = recovered;
      }
    }
  }

  /**
   * ASYNC acknowledges before the disk, so acknowledged versions may be lost; but every version
   * the store had reported durable before the kill survives, and state and version still match.
   */
  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void sigkill_asyncStore_keepsEveryVersionReportedDurable() throws Exception {
    // Kill once several flushes have happened, mid-window.
    Result r = runAndKill(dir, Durability.ASYNC, 1, 5000);

    try (FileStore<Integer> store = FileStore.builder(0, Integer.class).directory(dir).build()) {
      long recovered = store.snapshot().version();
      System.out.printf("async: %d acknowledged, last acknowledged %d, last reported durable %d, "
          + "recovered %d%n", r.acks, r.lastAck, r.lastDurable, recovered);
      assertThat(recovered).isGreaterThanOrEqualTo(r.lastDurable)
          .isLessThanOrEqualTo(r.lastAck + THREADS);
      assertThat(store.snapshot().state().longValue()).isEqualTo(recovered);
      assertThat(store.recovery().newEpoch())
          .as("acknowledged versions may be lost: the loss shows as a new epoch").isTrue();
    }
  }

  private record Result(long openedAt, int acks, long lastAck, long lastDurable) {}

  private static Result runAndKill(Path dir, Durability durability, int acksBeforeKill,
      long durableBeforeKill) throws Exception {
    String java = ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Path stderr = Files.createTempFile("crash-child", ".err");
    Process child = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        CrashChild.class.getName(), dir.toString(), String.valueOf(THREADS), durability.name())
        .redirectError(stderr.toFile())
        .start();
    long openedAt = -1;
    int acks = 0;
    long lastAck = -1;
    long lastDurable = -1;
    boolean killed = false;
    List<String> lines = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      // readLine returns null at end of stream: the child died (a failure we report below).
      while ((line = out.readLine()) != null) {
        if (line.startsWith("open ")) {
          openedAt = Long.parseLong(line.split(" ")[1]);
        } else if (line.startsWith("ack ")) {
          String[] f = line.split(" ");
          if (f.length == 3) { // a torn last line can only be shorter
            lastAck = Math.max(lastAck, Long.parseLong(f[1]));
            lastDurable = Math.max(lastDurable, Long.parseLong(f[2]));
          }
          if (++acks >= acksBeforeKill && lastDurable >= durableBeforeKill && !killed) {
            killed = true;
            // SIGKILL on Linux. Through the handle: Process.destroyForcibly() would also close
            // our end of the pipe and lose the acks the child wrote just before dying.
            child.toHandle().destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
          }
        } else if (lines.size() < 20) {
          lines.add(line);
        }
        // After the kill, keep reading: lines the child wrote before dying are still in the pipe,
        // and each of them is an acknowledged version. A torn last line has no newline and is
        // returned by readLine at end of stream; if its digits were cut, it reads as a smaller
        // number, which only weakens the checks.
      }
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(killed).as("child died before it was killed; stderr:%n%s%nstdout:%n%s",
        Files.readString(stderr), lines).isTrue();
    Files.deleteIfExists(stderr);
    return new Result(openedAt, acks, lastAck, lastDurable);
  }
}
