package io.ordo.broker.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The test JVM is set up the way Chronicle Map needs, and its analytics cannot run. */
class ChronicleEnvironmentTest {
  @Test
  void analyticsAreDisabledAndNotOnTheClasspath() {
    assertThat(System.getProperty("chronicle.analytics.disable")).isEqualTo("true");
    assertThatThrownBy(() -> Class.forName("net.openhft.chronicle.analytics.Analytics"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void closedMapsAreReleasedWithoutABackgroundThread() {
    assertThat(System.getProperty("background.releaser")).isEqualTo("false");
  }

  @Test
  void jvmHasTheOpensChronicleNeeds() {
    List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
    assertThat(args)
        .contains(
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED");
  }
}
