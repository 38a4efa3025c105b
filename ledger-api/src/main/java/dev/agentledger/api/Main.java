package dev.agentledger.api;

import dev.agentledger.api.cli.LedgerCli;

/** {@code java -jar ledger-api.jar [serve | verify … | rotate-key]}; no arguments = serve. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int code = LedgerCli.run(args);
    if (code != 0) {
      System.exit(code);
    }
  }
}
