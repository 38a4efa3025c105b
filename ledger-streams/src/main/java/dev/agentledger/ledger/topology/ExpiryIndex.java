package dev.agentledger.ledger.topology;

import dev.agentledger.ledger.domain.Command;
import dev.agentledger.ledger.domain.Command.ExpireAgent;
import dev.agentledger.ledger.domain.Command.ExpireReservation;
import dev.agentledger.ledger.domain.Event;
import dev.agentledger.ledger.domain.Event.AgentBootstrapped;
import dev.agentledger.ledger.domain.Event.AgentDelegated;
import dev.agentledger.ledger.domain.Event.AgentTerminated;
import dev.agentledger.ledger.domain.Event.ReservationCommitted;
import dev.agentledger.ledger.domain.Event.ReservationCreated;
import dev.agentledger.ledger.domain.Event.ReservationExpired;
import dev.agentledger.ledger.domain.Event.ReservationExtended;
import dev.agentledger.ledger.domain.Event.ReservationReleased;
import dev.agentledger.ledger.domain.LedgerState;
import dev.agentledger.ledger.domain.Reservation;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.kafka.streams.KeyValue;

/**
 * Everything that expires (live agents, open reservations) ordered by when, so the sweeper finds
 * what is due with one range scan instead of reading everything. Keys: 16 hex digits of the
 * deadline, then tenant, kind and id. Settled reservations are kept in a second index of the same
 * shape ({@link StoreNames#RETENTION}: time, tenant, id) until their retention ends.
 */
final class ExpiryIndex {
  /** What can expire, and the command that ends it. */
  enum Kind {
    AGENT(ExpireAgent::new),
    RESERVATION(ExpireReservation::new);

    private final Function<String, Command> expire;

    Kind(Function<String, Command> expire) {
      this.expire = expire;
    }
  }

  /** Something due to expire. */
  record Due(String tenant, Kind kind, String id) {
    Command command() {
      return kind.expire.apply(id);
    }
  }

  /** A settled reservation whose retention has ended, under its retention key. */
  record Settled(String tenant, String reservationId, String key) {}

  private final Keyspace.Writer<String> store;
  private final Keyspace.Writer<String> retention;
  private final long settledRetentionMs;

  /**
   * @param settledRetentionMs how long a committed, released or expired reservation stays readable
   */
  ExpiryIndex(
      Keyspace.Writer<String> store, Keyspace.Writer<String> retention, long settledRetentionMs) {
    this.store = store;
    this.retention = retention;
    this.settledRetentionMs = settledRetentionMs;
  }

  /** Keeps the index in step with an event just folded into {@code state}. */
  void observe(String tenant, LedgerState state, Event event) {
    if (event instanceof AgentBootstrapped e) {
      put(tenant, Kind.AGENT, e.agent().id(), e.agent().expiresAtMs());
    } else if (event instanceof AgentDelegated e) {
      put(tenant, Kind.AGENT, e.agent().id(), e.agent().expiresAtMs());
    } else if (event instanceof AgentTerminated e) {
      state.agent(e.agentId()).ifPresent(a -> delete(tenant, Kind.AGENT, a.id(), a.expiresAtMs()));
    } else if (event instanceof ReservationCreated e) {
      put(tenant, Kind.RESERVATION, e.reservation().id(), e.reservation().deadlineMs());
    } else if (event instanceof ReservationExtended e) {
      Reservation r = state.reservation(e.reservationId()).orElseThrow();
      delete(tenant, Kind.RESERVATION, r.id(), e.fromExpiresAtMs() + r.graceMs());
      put(tenant, Kind.RESERVATION, r.id(), r.deadlineMs());
    } else if (event instanceof ReservationCommitted e) {
      settled(tenant, state, e.reservationId());
    } else if (event instanceof ReservationReleased e) {
      settled(tenant, state, e.reservationId());
    } else if (event instanceof ReservationExpired e) {
      settled(tenant, state, e.reservationId());
    }
  }

  /** Everything due at or before {@code nowMs}, soonest first. */
  List<Due> dueAt(long nowMs) {
    List<Due> due = new ArrayList<>();
    for (KeyValue<String, String> kv : store.range(prefix(0), prefix(nowMs) + "~")) {
      String[] parts = kv.key.split("/", 4);
      due.add(new Due(parts[1], Kind.valueOf(parts[2].toUpperCase(Locale.ROOT)), parts[3]));
    }
    return due;
  }

  /** Settled reservations whose retention ended at or before {@code nowMs}, soonest first. */
  List<Settled> settledDueAt(long nowMs) {
    List<Settled> due = new ArrayList<>();
    for (KeyValue<String, String> kv : retention.range(prefix(0), prefix(nowMs) + "~")) {
      String[] parts = kv.key.split("/", 3);
      due.add(new Settled(parts[1], parts[2], kv.key));
    }
    return due;
  }

  /** Done with one whose retention ran out: it leaves the retention index. */
  void forget(Settled settled) {
    retention.delete(settled.key());
  }

  /** A settled reservation no longer expires; it is kept for the retention, then forgotten. */
  private void settled(String tenant, LedgerState state, String reservationId) {
    state
        .reservation(reservationId)
        .ifPresent(
            r -> {
              delete(tenant, Kind.RESERVATION, r.id(), r.deadlineMs());
              long at = r.finalizedAtMs() != null ? r.finalizedAtMs() : r.deadlineMs();
              retention.put(prefix(at + settledRetentionMs) + "/" + tenant + "/" + r.id(), "");
            });
  }

  private void put(String tenant, Kind kind, String id, Long atMs) {
    if (atMs != null) {
      store.put(key(tenant, kind, id, atMs), "");
    }
  }

  private void delete(String tenant, Kind kind, String id, Long atMs) {
    if (atMs != null) {
      store.delete(key(tenant, kind, id, atMs));
    }
  }

  private static String key(String tenant, Kind kind, String id, long atMs) {
    return prefix(atMs) + "/" + tenant + "/" + kind.name().toLowerCase(Locale.ROOT) + "/" + id;
  }

  private static String prefix(long ms) {
    return HexFormat.of().toHexDigits(ms);
  }
}
