package io.ordo.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
  private static NodeConfig.Builder builder() {
    return NodeConfig.builder().dataDir(Path.of("unused"));
  }

  @Test
  void retentionCheckIntervalDefaultsToTenSecondsAndIsRangeChecked() {
    assertThat(builder().build().retentionCheckIntervalMs()).isEqualTo(10_000);
    assertThat(builder().retentionCheckIntervalMs(10).build().retentionCheckIntervalMs())
        .isEqualTo(10);
    assertThat(builder().retentionCheckIntervalMs(86_400_000).build().retentionCheckIntervalMs())
        .isEqualTo(86_400_000);
    assertThatThrownBy(() -> builder().retentionCheckIntervalMs(9).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retention.check.interval.ms");
    assertThatThrownBy(() -> builder().retentionCheckIntervalMs(86_400_001).build())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
