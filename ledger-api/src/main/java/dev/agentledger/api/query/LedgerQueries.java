package dev.agentledger.api.query;

import dev.agentledger.api.http.ApiProblem;
import dev.agentledger.ledger.codec.CanonicalJson;
import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.Reservation;
import dev.agentledger.ledger.domain.Tenant;
import dev.agentledger.ledger.topology.Checkpointer;
import dev.agentledger.ledger.topology.IdempotencyLog;
import dev.agentledger.ledger.topology.Keyspace;
import dev.agentledger.ledger.topology.StoreNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads the ledger's state stores (interactive queries). A tenant lives on one partition, so one
 * instance owns it; {@link #ownerOf} says which, and requests for a tenant owned elsewhere are
 * forwarded there whole.
 */
public final class LedgerQueries {
  private final KafkaStreams streams;
  private final HostInfo self;

  /**
   * Streams' facade over the store: it finds the task stores on every call, so one lookup serves
   * until a read fails.
   */
  private volatile ReadOnlyKeyValueStore<String, byte[]> state;

  public LedgerQueries(KafkaStreams streams, HostInfo self) {
    this.streams = streams;
    this.self = self;
  }

  public Optional<Agent> agent(String tenant, String agentId) {
    return guarded(
        () ->
            Optional.ofNullable(read(StoreNames.AGENTS).get(StoreNames.agentKey(tenant, agentId)))
                .map(json -> CanonicalJson.read(json, Agent.class)));
  }

  public Optional<Reservation> reservation(String tenant, String reservationId) {
    return guarded(
        () ->
            Optional.ofNullable(
                    read(StoreNames.RESERVATIONS)
                        .get(StoreNames.reservationKey(tenant, reservationId)))
                .map(json -> CanonicalJson.read(json, Reservation.class)));
  }

  /**
   * Up to {@code limit} of the tenant's reservations after {@code cursor} (by id) that match, in id
   * order; it stops reading once it has them.
   */
  public List<Reservation> reservations(
      String tenant, String cursor, int limit, Predicate<Reservation> matches) {
    return guarded(
        () -> {
          List<Reservation> out = new ArrayList<>();
          read(StoreNames.RESERVATIONS)
              .walk(
                  tenant + "/",
                  cursor,
                  kv -> {
                    Reservation r = CanonicalJson.read(kv.value, Reservation.class);
                    if (matches.test(r)) {
                      out.add(r);
                    }
                    return out.size() < limit;
                  });
          return out;
        });
  }

  /** The tenant's agents, by id. */
  public List<Agent> agents(String tenant) {
    return guarded(() -> scan(StoreNames.AGENTS, tenant, Agent.class));
  }

  /** Ids of an agent's live children, sorted. */
  public List<String> children(String tenant, String agentId) {
    return guarded(
        () -> read(StoreNames.CHILDREN).suffixes(StoreNames.childPrefix(tenant, agentId)));
  }

  /** Ids of the tenant's roots, ended ones included, sorted. */
  public List<String> roots(String tenant) {
    return guarded(() -> read(StoreNames.CHILDREN).suffixes(StoreNames.rootPrefix(tenant)));
  }

  private <T> List<T> scan(Keyspace<String> space, String tenant, Class<T> type) {
    List<T> out = new ArrayList<>();
    read(space).scan(tenant + "/").forEach(kv -> out.add(CanonicalJson.read(kv.value, type)));
    return out;
  }

  public Optional<Tenant> tenant(String tenant) {
    return guarded(
        () ->
            Optional.ofNullable(read(StoreNames.TENANTS).get(tenant))
                .map(json -> CanonicalJson.read(json, Tenant.class)));
  }

  public Optional<IdempotencyLog.Entry> idempotency(String tenant, String actor, String key) {
    return guarded(
        () ->
            Optional.ofNullable(
                    read(StoreNames.IDEMPOTENCY).get(IdempotencyLog.key(tenant, actor, key)))
                .map(json -> CanonicalJson.read(json, IdempotencyLog.Entry.class)));
  }

  /** The instance that owns the tenant, when it is not this one. */
  public Optional<HostInfo> ownerOf(String tenant) {
    KeyQueryMetadata meta =
        streams.queryMetadataForKey(StoreNames.STORE, tenant, Serdes.String().serializer());
    if (meta == null || meta.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
      throw ApiProblem.notReady("the ledger is rebalancing; retry shortly");
    }
    HostInfo owner = meta.activeHost();
    return owner.equals(self) ? Optional.empty() : Optional.of(owner);
  }

  /**
   * The tenant's chain head as stored (null before its first event): it changes with every event,
   * so equal bytes mean nothing happened to the tenant in between.
   */
  public byte[] head(String tenant) {
    return guarded(() -> read(StoreNames.HEADS).get(tenant));
  }

  /** The tenant's latest signed checkpoint note. */
  public Optional<String> latestCheckpoint(String tenant) {
    return guarded(() -> Optional.ofNullable(read(StoreNames.CHECKPOINTS).get(tenant)));
  }

  /** The Merkle leaf hash of the tenant's event at {@code seq}; fails if it is not there. */
  public byte[] leaf(String tenant, long seq) {
    return guarded(
        () -> {
          byte[] leaf = read(StoreNames.LEAVES).get(Checkpointer.leafKey(tenant, seq));
          if (leaf == null) {
            throw new ApiProblem(404, "unknown_event", "no event " + seq + " for this tenant");
          }
          return leaf;
        });
  }

  public boolean ready() {
    return streams.state() == KafkaStreams.State.RUNNING;
  }

  private <V> Keyspace.Reader<V> read(Keyspace<V> space) {
    ReadOnlyKeyValueStore<String, byte[]> found = state;
    if (found == null) {
      found =
          streams.store(
              StoreQueryParameters.fromNameAndType(
                  StoreNames.STORE, QueryableStoreTypes.keyValueStore()));
      state = found;
    }
    return space.in(found);
  }

  /**
   * Runs a query; a store that is not queryable (starting, rebalancing, migrating to another
   * instance) is a retryable 503, and the next query looks the store up again.
   */
  private <T> T guarded(Supplier<T> query) {
    try {
      return query.get();
    } catch (InvalidStateStoreException e) {
      state = null;
      throw ApiProblem.notReady("the ledger's state is not ready; retry shortly");
    }
  }
}
