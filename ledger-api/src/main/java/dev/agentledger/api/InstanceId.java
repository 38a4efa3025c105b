package dev.agentledger.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * This instance's name in the Streams consumer group ({@code group.instance.id}): made once and
 * kept in the data directory, so it is stable across restarts and differs between instances, as
 * their data directories do. With it, a process restarted after a crash takes over its old
 * membership at once instead of waiting for the dead member's session to time out.
 */
final class InstanceId {
  static final String FILE = "instance-id";

  private InstanceId() {}

  static String of(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file)) {
      String id = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (!id.isEmpty()) {
        return id;
      }
    }
    String id = "ledger-" + UUID.randomUUID();
    Path tmp = Files.createTempFile(dataDir, FILE, ".tmp");
    Files.writeString(tmp, id, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return id;
  }
}
