package dev.agentledger.api;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Base of the *IT classes that share one running service (real embedded broker) per class. */
abstract class OneLedgerPerClass {
  @TempDir static Path dataDir;
  static TestLedger ledger;

  @BeforeAll
  static void startLedger() {
    ledger = TestLedger.start(dataDir);
  }

  @AfterAll
  static void stopLedger() {
    ledger.close();
  }
}
