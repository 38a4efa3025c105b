package dev.agentledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentledger.api.cli.LedgerCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** The verifier CLI run in-process, as a stranger would: exit code, output, --json summary. */
record VerifierRun(int code, String output, JsonNode summary) {

  /** {@code ledger-api.jar <args>}; a CLI that throws counts as exit code −1. */
  static VerifierRun cli(String... args) {
    StringWriter out = new StringWriter();
    int code;
    try {
      code = LedgerCli.run(new PrintWriter(out, true), args);
    } catch (RuntimeException e) {
      return new VerifierRun(-1, e.toString(), TestLedger.JSON.nullNode());
    }
    String text = out.toString().trim();
    try {
      String last = text.substring(text.lastIndexOf('\n') + 1);
      return new VerifierRun(code, text, TestLedger.JSON.readTree(last));
    } catch (java.io.IOException | RuntimeException notJson) {
      return new VerifierRun(code, text, TestLedger.JSON.nullNode());
    }
  }

  /**
   * {@code verify --json} of the ledger's live topics with its published JWKS, plus {@code more}.
   */
  static VerifierRun live(TestLedger ledger, String... more) {
    List<String> args = new ArrayList<>(List.of("verify", "--json"));
    args.addAll(List.of("--bootstrap-servers", ledger.service.bootstrapServers()));
    args.addAll(
        List.of(
            "--jwks", "http://localhost:" + ledger.service.httpPort() + "/.well-known/jwks.json"));
    args.addAll(List.of(more));
    return cli(args.toArray(String[]::new));
  }
}
