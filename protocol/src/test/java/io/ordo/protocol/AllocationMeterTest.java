package io.ordo.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The fuzz tests' allocation bound is only as good as the meter; check that it sees a MiB. */
class AllocationMeterTest {
  private static volatile byte[] sink;

  @Test
  void seesAnAllocationOfOneMebibyte() {
    assertThat(AllocationMeter.supported()).isTrue();
    long before = AllocationMeter.allocatedBytes();
    sink = new byte[1 << 20];
    long allocated = AllocationMeter.allocatedBytes() - before;
    assertThat(allocated).isBetween(1L << 20, (1L << 20) + 64 * 1024);
    assertThat(sink).hasSize(1 << 20);
  }
}
