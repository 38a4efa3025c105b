package dev.agentledger.api.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentledger.api.registry.ExternalRegistry;
import dev.agentledger.evidence.ChainVerifier;
import dev.agentledger.evidence.EvidenceRecord;
import dev.agentledger.evidence.Failure;
import dev.agentledger.evidence.PublicKeys;
import dev.agentledger.ledger.topology.LedgerTopology;
import dev.agentledger.schemas.SchemaCatalog;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Verifies the evidence with nothing but public keys: every signature, the hash chain, gapless
 * order, and — by folding the events with the ledger's own domain code — attenuation and
 * conservation. Exit 0 only when all of it holds; otherwise names the first failing event.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = "Verify ledger evidence offline (signatures, chain, order, conservation).")
final class VerifyCommand implements Callable<Integer> {
  static final int OK = 0;
  static final int FAILED = 1;

  @ArgGroup(multiplicity = "1")
  Input input;

  static final class Input {
    @Option(names = "--file", description = "exported evidence, one JSON event per line")
    Path file;

    @Option(names = "--bootstrap-servers", description = "read the evidence topic from Kafka")
    String bootstrap;
  }

  @Option(names = "--topic", defaultValue = LedgerTopology.EVIDENCE_TOPIC)
  String topic;

  @Option(
      names = "--jwks",
      required = true,
      description =
          "the public keys: a JWKS file or an http(s) URL such as .../.well-known/jwks.json")
  String jwks;

  @Option(
      names = "--checkpoints-topic",
      defaultValue = LedgerTopology.CHECKPOINTS_TOPIC,
      description = "with --bootstrap-servers: the signed checkpoints to check against the events")
  String checkpointsTopic;

  @Option(
      names = "--checkpoints-file",
      description = "with --file: exported checkpoints, one JSON object {\"note\": …} per line")
  Path checkpointsFile;

  @Option(
      names = "--registry",
      description =
          "with --bootstrap-servers: the Confluent-compatible schema registry the ledger registered"
              + " its schemas with (LEDGER_SCHEMA_REGISTRY_URL); default: the built-in schema ids")
  String registry;

  @Option(names = "--json", description = "print the summary as one JSON object")
  boolean json;

  @Option(names = "--follow", description = "keep reading the topic; report failures live")
  boolean follow;

  @Option(
      names = "--fail-fast",
      description =
          "stop at the first failing event (with --follow: a live monitor that exits 1 on it)")
  boolean failFast;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PublicKeys keys = PublicKeys.fromJwks(readJwks());
    ChainVerifier chain = new ChainVerifier(keys);
    Conservation conservation = new Conservation();
    CheckpointCheck checkpoints = new CheckpointCheck(keys);
    // Checkpoints first: every one read then covers events that the evidence read below will see.
    SchemaCatalog catalog = input.bootstrap == null ? null : catalog();
    List<String> notes = checkpointNotes(catalog);
    EvidenceSource source =
        input.file != null
            ? EvidenceSource.file(input.file)
            : EvidenceSource.topic(input.bootstrap, topic, catalog, follow);
    source.forEach(
        batch -> verifyBatch(batch, chain, checkpoints, conservation, out),
        () -> failFast && !chain.verdict().ok());
    if (!follow) { // a followed read stops wherever it is stopped
      chain.finish().forEach(f -> report(out, "FAIL " + f));
    }
    List<Conservation.Breach> breaches = conservation.finish();
    notes.forEach(note -> checkpoints.checkpoint(note, conservation));
    var verdict = chain.verdict();
    boolean ok = verdict.ok() && breaches.isEmpty() && checkpoints.failures().isEmpty();
    summary(out, verdict, breaches, checkpoints, conservation, ok);
    return ok ? OK : FAILED;
  }

  /**
   * Chain checks for the batch (signatures in parallel), then, in order, the authentic events feed
   * the checkpoint leaves and the conservation fold.
   */
  private void verifyBatch(
      List<EvidenceRecord> batch,
      ChainVerifier chain,
      CheckpointCheck checkpoints,
      Conservation conservation,
      PrintWriter out) {
    List<Optional<Failure>> failures = chain.acceptAll(batch);
    for (int i = 0; i < batch.size(); i++) {
      EvidenceEvent event = batch.get(i).event();
      failures
          .get(i)
          .ifPresentOrElse(
              f -> report(out, "FAIL " + f),
              () -> {
                checkpoints.event(event);
                conservation.accept(event).ifPresent(b -> report(out, "FAIL conservation: " + b));
              });
    }
    var verdict = chain.verdict();
    report(
        out,
        "checked %d events, %d failing".formatted(verdict.eventsChecked(), verdict.failureCount()));
  }

  /** Live lines while following (text output only). */
  private void report(PrintWriter out, String line) {
    if (follow && !json) {
      out.println(line);
      out.flush();
    }
  }

  private void summary(
      PrintWriter out,
      dev.agentledger.evidence.Verdict verdict,
      List<Conservation.Breach> breaches,
      CheckpointCheck checkpoints,
      Conservation conservation,
      boolean ok)
      throws Exception {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("ok", ok);
    s.put("events", verdict.eventsChecked());
    s.put("tenants", verdict.tenants());
    s.put("agents", conservation.agentsPerTenant());
    s.put("chain_ok", verdict.ok());
    verdict.firstFailure().ifPresent(f -> s.put("first_failure", describe(f)));
    s.put("conservation_ok", breaches.isEmpty());
    s.put("checkpoints", checkpoints.checked());
    s.put("checkpoints_ok", checkpoints.failures().isEmpty());
    if (!checkpoints.failures().isEmpty()) {
      s.put("first_checkpoint_failure", checkpoints.failures().get(0));
    }
    if (!breaches.isEmpty()) {
      s.put("first_breach", breaches.get(0).toString());
    }
    if (json) {
      out.println(new ObjectMapper().writeValueAsString(s));
      return;
    }
    out.printf(
        "%s: %d events, %d tenants; chain %s; conservation %s; %d checkpoints %s%n",
        ok ? "VERIFIED" : "FAILED",
        verdict.eventsChecked(),
        verdict.tenants(),
        verdict.ok() ? "intact" : "BROKEN",
        breaches.isEmpty() ? "holds" : "BREACHED",
        checkpoints.checked(),
        checkpoints.failures().isEmpty() ? "match" : "DO NOT MATCH");
    checkpoints.failures().stream().findFirst().ifPresent(f -> out.println("  " + f));
    verdict.firstFailure().ifPresent(f -> out.println("  first failing event: " + f));
    if (!breaches.isEmpty()) {
      out.println("  first breach: " + breaches.get(0));
    }
  }

  private static Map<String, Object> describe(Failure f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("code", f.code().name());
    m.put("tenant", f.tenant());
    m.put("seq", f.seq());
    m.put("position", f.position());
    m.put("message", f.message());
    return m;
  }

  /** The schema ids the topics' records carry: ours, or those an external registry assigned. */
  private SchemaCatalog catalog() {
    return registry == null
        ? SchemaCatalog.builtIn()
        : ExternalRegistry.lookup(registry, SchemaCatalog.builtIn());
  }

  private List<String> checkpointNotes(SchemaCatalog catalog) throws Exception {
    if (input.bootstrap != null) {
      return EvidenceSource.checkpointNotes(input.bootstrap, checkpointsTopic, catalog);
    }
    if (checkpointsFile == null) {
      return List.of();
    }
    ObjectMapper mapper = new ObjectMapper();
    List<String> notes = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(checkpointsFile)) {
      if (!line.isBlank()) {
        notes.add(mapper.readTree(line).path("note").asText());
      }
    }
    return notes;
  }

  @SuppressWarnings("unchecked")
  private Map<String, ?> readJwks() throws Exception {
    String text;
    if (jwks.startsWith("http://") || jwks.startsWith("https://")) {
      text =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(jwks)).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
    } else {
      text = Files.readString(Path.of(jwks));
    }
    return new ObjectMapper().readValue(text, Map.class);
  }
}
