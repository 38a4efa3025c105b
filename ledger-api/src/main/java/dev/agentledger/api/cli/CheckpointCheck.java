package dev.agentledger.api.cli;

import dev.agentledger.evidence.KeyLookup;
import dev.agentledger.evidence.checkpoint.BudgetTotal;
import dev.agentledger.evidence.checkpoint.Checkpoint;
import dev.agentledger.evidence.checkpoint.CheckpointException;
import dev.agentledger.evidence.checkpoint.CheckpointVerifier;
import dev.agentledger.evidence.merkle.MerkleHash;
import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.Budget;
import dev.agentledger.ledger.domain.MemoryState;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks signed checkpoints against the evidence: the signature, the Merkle root over the first
 * {@code size} events of the tenant (a checkpoint beyond the events means a dropped tail; a root
 * that differs means rewritten history), and — for a checkpoint of the whole run — the budget
 * totals against the state folded from the events.
 */
final class CheckpointCheck {
  private final CheckpointVerifier verifier;
  private final Map<String, List<byte[]>> leaves = new HashMap<>();
  private final List<String> failures = new ArrayList<>();
  private int checked;

  CheckpointCheck(KeyLookup keys) {
    this.verifier = new CheckpointVerifier(keys);
  }

  /** Remembers each verified event's leaf hash. */
  void event(EvidenceEvent e) {
    leaves.computeIfAbsent(e.getTenant(), t -> new ArrayList<>()).add(MerkleHash.leaf(e));
  }

  void checkpoint(String note, Conservation folded) {
    checked++;
    try {
      Checkpoint cp = verifier.verify(note);
      List<byte[]> tenantLeaves = leaves.getOrDefault(cp.tenant(), List.of());
      if (cp.size() > tenantLeaves.size()) {
        fail(cp, "signs " + cp.size() + " events but only " + tenantLeaves.size() + " are here");
        return;
      }
      CheckpointVerifier.checkRoot(cp, tenantLeaves.subList(0, (int) cp.size()));
      if (cp.size() == tenantLeaves.size()) {
        folded.state(cp.tenant()).ifPresent(state -> budgets(cp, state));
      }
    } catch (CheckpointException e) {
      failures.add(e.getMessage());
    }
  }

  private void budgets(Checkpoint cp, MemoryState state) {
    for (BudgetTotal t : cp.budgets()) {
      Optional<Budget> b = state.agent(t.rootAgent()).map(a -> a.budget(t.unit()));
      if (b.isEmpty()
          || b.get().limit() != t.limit()
          || b.get().spent() != t.spent()
          || b.get().delegated() != t.delegated()) {
        fail(cp, "budget of " + t.rootAgent() + " in " + t.unit() + " differs from the events");
      }
    }
    // One line per (root agent, unit), no more, no fewer: a left-out root is a root unaccounted.
    Set<String> signed = new TreeSet<>();
    cp.budgets().forEach(t -> signed.add(t.rootAgent() + " " + t.unit()));
    Set<String> folded = new TreeSet<>();
    state.agents().stream()
        .filter(Agent::isRoot)
        .forEach(a -> a.budgets().keySet().forEach(unit -> folded.add(a.id() + " " + unit)));
    if (!signed.equals(folded)) {
      fail(cp, "signs the root budgets " + signed + " but the events make " + folded);
    }
  }

  private void fail(Checkpoint cp, String why) {
    failures.add("checkpoint " + cp.tenant() + "@" + cp.size() + " " + why);
  }

  int checked() {
    return checked;
  }

  List<String> failures() {
    return List.copyOf(failures);
  }
}
