package dev.agentledger.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyringTest {
  @TempDir Path dir;

  @Test
  void opensTheSameKeyAgainAndRotationKeepsRetiredKeysPublished() throws Exception {
    Keyring first = Keyring.open(dir);
    assertThat(Keyring.open(dir).current().keyId()).isEqualTo(first.current().keyId());

    Keyring rotated = Keyring.rotate(dir);
    assertThat(rotated.current().keyId()).isNotEqualTo(first.current().keyId());
    assertThat(rotated.publicKeys().find(first.current().keyId())).isPresent();
    assertThat(rotated.publicKeys().find(rotated.current().keyId())).isPresent();
    assertThat(Keyring.open(dir).current().keyId()).isEqualTo(rotated.current().keyId());
  }
}
