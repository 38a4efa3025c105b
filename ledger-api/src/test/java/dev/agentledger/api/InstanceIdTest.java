package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceIdTest {
  @TempDir Path one;
  @TempDir Path other;

  @Test
  void stableInOneDataDirectoryAndDistinctBetweenTwo() throws Exception {
    String first = InstanceId.of(one);

    assertThat(InstanceId.of(one)).isEqualTo(first);
    assertThat(InstanceId.of(other)).isNotEqualTo(first);
    assertThat(first).startsWith("ledger-");
  }

  @Test
  void anEmptyFileGetsANewId() throws Exception {
    Files.writeString(one.resolve(InstanceId.FILE), "  \n");

    String id = InstanceId.of(one);

    assertThat(id).startsWith("ledger-");
    assertThat(Files.readString(one.resolve(InstanceId.FILE))).isEqualTo(id);
  }
}
