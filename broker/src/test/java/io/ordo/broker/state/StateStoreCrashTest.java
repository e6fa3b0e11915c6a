package io.ordo.broker.state;

import static io.ordo.broker.state.StateFixtures.sessionsOf;
import static io.ordo.broker.state.StateFixtures.streamsOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.StreamVersions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed (-9) at a random moment of a save, full or incremental: the next open never
 * hangs or throws, and load gives either -1 or exactly the state of a save that completed. Rounds
 * alternate between a child that saves in full and one that saves incrementally.
 */
class StateStoreCrashTest {
  @TempDir Path tmp;
  private boolean betweenSavesLast;

  @Test
  @Timeout(300)
  void killedMidSaveLeavesNoCheckpointOrACompleteOne() throws Exception {
    killRounds(8);
  }

  @Test
  @Tag("slow")
  @Timeout(3600)
  void manyKillsMidSaveLeaveNoCheckpointOrACompleteOne() throws Exception {
    killRounds(80);
  }

  private void killRounds(int rounds) throws Exception {
    long seed = StateFixtures.seed(getClass().getSimpleName());
    Random random = new Random(seed);
    int used = 0;
    CrashSaver.State carried = null; // what the last load found, left for the next round
    for (int round = 0; round < rounds; round++) {
      CrashSaver.Mode mode = CrashSaver.Mode.values()[round % 2];
      long lastSaved = runChildUntilKilled(seed, mode, random);
      long startNs = System.nanoTime();
      try (StateStore store = StateStore.open(CrashSaver.config(tmp))) {
        ProducerSessions s = new ProducerSessions();
        StreamVersions v = new StreamVersions();
        Map<String, GroupOffset> g = new HashMap<>();
        long applied = store.load(s, v, g);
        System.out.printf(
            "round %d, %s saves: killed %s after save %d, load gave %d in %d ms%n",
            round,
            mode,
            betweenSavesLast ? "between saves" : "inside a save",
            lastSaved,
            applied,
            (System.nanoTime() - startNs) / 1_000_000);
        // Between saves only the last save can be found (Chronicle's recovery after a kill can
        // also lose entries: the checksums then make it -1); inside one, also the one killed
        // after it finished but before it said so. Killed before its first save wrote its
        // marker, the child leaves the checkpoint it found, the previous round's.
        List<CrashSaver.State> candidates = new ArrayList<>();
        if (lastSaved > 0) {
          candidates.add(CrashSaver.stateAt(seed, mode, lastSaved));
        } else if (carried != null) {
          candidates.add(carried);
        }
        if (!betweenSavesLast) {
          candidates.add(CrashSaver.stateAt(seed, mode, lastSaved + 1));
        }
        carried = null;
        if (applied >= 0) {
          used++;
          CrashSaver.State expected =
              candidates.stream()
                  .filter(st -> st.appliedOffset() == applied)
                  .findFirst()
                  .orElse(null);
          assertThat(expected)
              .as(
                  "a checkpoint at one of %s",
                  candidates.stream().map(CrashSaver.State::appliedOffset).toList())
              .isNotNull();
          assertThat(sessionsOf(s)).isEqualTo(sessionsOf(expected.sessions()));
          assertThat(streamsOf(v)).isEqualTo(streamsOf(expected.streams()));
          assertThat(g).isEqualTo(expected.offsets());
          carried = expected;
        }
      }
    }
    System.out.println("checkpoints usable after a kill: " + used + " of " + rounds);
  }

  /** Runs the child, kills it a random number of saves in, returns the last save it finished. */
  private long runChildUntilKilled(long seed, CrashSaver.Mode mode, Random random)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("--add-") || a.startsWith("-D"))
            .toList());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(CrashSaver.class.getName());
    cmd.add(tmp.toString());
    cmd.add(Long.toString(seed));
    cmd.add(mode.name());
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    long lastSaved = 0;
    int killAtSaving = 1 + random.nextInt(4);
    boolean betweenSaves = random.nextBoolean(); // else somewhere inside a save
    try (BufferedReader out =
            new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        Writer go = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8)) {
      go.write("go\n");
      go.flush();
      String line;
      int savings = 0;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("saved ")) {
          lastSaved = Long.parseLong(line.substring(6));
          if (betweenSaves && lastSaved == killAtSaving) {
            break; // the child waits for "go" before its next save
          }
          go.write("go\n");
          go.flush();
        } else if (line.startsWith("took ") || line.startsWith("failed ")) {
          System.out.println("  child: " + line);
        } else if (!betweenSaves && line.startsWith("saving ") && ++savings == killAtSaving) {
          // An incremental save is over in tens of ms: kill within that.
          int spinNs = mode == CrashSaver.Mode.FULL ? 400_000_000 : 60_000_000;
          long spinUntil = System.nanoTime() + random.nextInt(spinNs);
          while (System.nanoTime() < spinUntil) {
            Thread.onSpinWait();
          }
          break;
        }
      }
    } finally {
      child.destroyForcibly(); // SIGKILL on Linux
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    betweenSavesLast = betweenSaves;
    return lastSaved;
  }
}
