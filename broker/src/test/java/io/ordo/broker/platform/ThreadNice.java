package io.ordo.broker.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Test helper: the Linux nice values of this JVM's threads, from /proc. */
public final class ThreadNice {
  private ThreadNice() {}

  /** Whether /proc shows threads' nice values (Linux). */
  public static boolean available() {
    return Files.exists(Path.of("/proc/thread-self/stat"));
  }

  /** The nice value in a /proc/.../stat line: field 19, the 17th after the name. */
  static int niceOf(Path stat) throws IOException {
    String line = Files.readString(stat);
    return Integer.parseInt(line.substring(line.lastIndexOf(')') + 2).split(" ")[16]);
  }

  /** The nice value of the calling thread. */
  public static int ofCurrentThread() throws IOException {
    return niceOf(Path.of("/proc/thread-self/stat"));
  }

  /**
   * The nice values of this JVM's live threads whose name starts with {@code prefix} (Linux keeps
   * the first 15 characters of a thread's name).
   */
  public static List<Integer> ofThreadsNamed(String prefix) throws IOException {
    String shown = prefix.length() > 15 ? prefix.substring(0, 15) : prefix;
    List<Integer> nice = new ArrayList<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          if (Files.readString(task.resolve("comm")).strip().startsWith(shown)) {
            nice.add(niceOf(task.resolve("stat")));
          }
        } catch (IOException e) {
          // the thread ended while we looked
        }
      }
    }
    return nice;
  }
}
