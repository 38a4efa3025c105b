package dev.agentledger.api.http;

import dev.agentledger.api.query.LedgerQueries;
import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.Budget;
import dev.agentledger.ledger.domain.Caps;
import dev.agentledger.ledger.domain.Lifecycle;
import dev.agentledger.ledger.domain.Reservation;
import dev.agentledger.ledger.domain.Scopes;
import dev.agentledger.ledger.domain.Tenant;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The protocol's reads: one reservation, a list of them, and balances. Answered from the stores.
 */
public final class CyclesReads {
  private final Authenticator auth;
  private final LedgerQueries queries;
  private final LongSupplier clock;

  public CyclesReads(Authenticator auth, LedgerQueries queries, LongSupplier clock) {
    this.auth = auth;
    this.queries = queries;
    this.clock = clock;
  }

  /** The tenant a reservation id names ({@code rsv_<tenant>_<random>}). */
  static Optional<String> ownerOf(String reservationId) {
    if (!reservationId.startsWith("rsv_") || reservationId.lastIndexOf('_') <= 4) {
      return Optional.empty();
    }
    return Optional.of(reservationId.substring(4, reservationId.lastIndexOf('_')));
  }

  /** The path's reservation id when it is the caller's tenant's: another tenant's is a 403. */
  static String ownReservationId(Context ctx, Principal who, LedgerQueries queries) {
    String id = ctx.pathParam("reservation_id");
    Optional<String> owner = ownerOf(id);
    if (owner.isEmpty() || id.length() > 128) {
      throw notFound(id);
    }
    if (!owner.get().equals(who.tenant())) {
      if (queries.reservation(owner.get(), id).isPresent()) {
        throw CyclesErrors.error(403, "FORBIDDEN", id + " belongs to another tenant");
      }
      throw notFound(id);
    }
    return id;
  }

  /** GET /v1/reservations/{id} — an expired one is 410. */
  public void reservation(Context ctx) {
    Principal who = auth.anyone(ctx);
    String id = ownReservationId(ctx, who, queries);
    Reservation r =
        queries
            .reservation(who.tenant(), id)
            .filter(x -> visible(who, x))
            .orElseThrow(() -> notFound(id));
    if (r.status() == Reservation.Status.EXPIRED) {
      throw CyclesErrors.error(410, "RESERVATION_EXPIRED", id + " has expired");
    }
    Map<String, Object> out = summary(r);
    if (r.label().metadata() != null) {
      out.put("metadata", r.label().metadata());
    }
    Http.json(ctx, 200, out);
  }

  /** GET /v1/reservations — filters: idempotency_key, status, subject fields; cursor paging. */
  public void reservations(Context ctx) {
    Principal who = auth.anyone(ctx);
    CyclesSubject.checkTenant(ctx.queryParam("tenant"), who);
    String key = blankToNull(ctx.queryParam("idempotency_key"));
    String status = blankToNull(ctx.queryParam("status"));
    String cursor = blankToNull(ctx.queryParam("cursor"));
    int limit = limit(ctx);
    // One more than the page, to know whether there is a next one.
    List<Reservation> matching =
        queries.reservations(
            who.tenant(),
            cursor,
            limit + 1,
            r ->
                visible(who, r)
                    && (key == null || key.equals(r.label().idempotencyKey()))
                    && (status == null || status.equals(r.status().name()))
                    && subjectMatches(ctx, r));
    Page<Reservation> page = Page.of(matching, limit);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("reservations", page.items().stream().map(CyclesReads::summary).toList());
    page.next().ifPresent(last -> out.put("next_cursor", last.id()));
    out.put("has_more", page.next().isPresent());
    Http.json(ctx, 200, out);
  }

  /** GET /v1/balances — one balance per agent budget (a toolset's allocation is its own scope). */
  public void balances(Context ctx) {
    Principal who = auth.anyone(ctx);
    if (CyclesSubject.LEVELS.stream().allMatch(l -> blankToNull(ctx.queryParam(l)) == null)) {
      throw CyclesRequest.invalid("give at least one of " + CyclesSubject.LEVELS);
    }
    CyclesSubject.checkTenant(blankToNull(ctx.queryParam("tenant")), who);
    String agent = blankToNull(ctx.queryParam("agent"));
    if (who instanceof Principal.AgentPrincipal a) {
      if (agent != null && !agent.equals(a.agent().id())) {
        throw CyclesErrors.error(403, "FORBIDDEN", "an agent token sees its own balances only");
      }
      agent = a.agent().id();
    }
    List<Agent> agents =
        agent == null
            ? queries.agents(who.tenant())
            : queries.agent(who.tenant(), agent).stream().toList();
    String toolset = blankToNull(ctx.queryParam("toolset"));
    String cursor = blankToNull(ctx.queryParam("cursor"));
    List<Map<String, Object>> all = new ArrayList<>();
    agents.stream()
        .filter(a -> a.lifecycle() != Lifecycle.TERMINATED)
        .forEach(a -> all.addAll(balances(who.tenant(), a, toolset)));
    if (who instanceof Principal.Operator && agent == null && toolset == null) {
      all.addAll(scopeBalances(ctx, who.tenant()));
    }
    List<Map<String, Object>> after =
        all.stream()
            .filter(b -> cursor == null || ((String) b.get("scope")).compareTo(cursor) > 0)
            .sorted(Comparator.comparing(b -> (String) b.get("scope")))
            .toList();
    Page<Map<String, Object>> page = Page.of(after, limit(ctx));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("balances", page.items());
    page.next().ifPresent(last -> out.put("next_cursor", last.get("scope")));
    out.put("has_more", page.next().isPresent());
    Http.json(ctx, 200, out);
  }

  /**
   * remaining = allocated − spent − reserved − debt, with allocated = limit − delegated (slices
   * given to children are not this scope's to use) and debt always 0 (no overdraft here).
   */
  private List<Map<String, Object>> balances(String tenant, Agent agent, String toolset) {
    List<Map<String, Object>> out = new ArrayList<>();
    long now = clock.getAsLong();
    agent
        .budgets()
        .forEach(
            (key, stored) ->
                CyclesUnits.split(key)
                    .filter(u -> toolset == null || toolset.equals(u[1]))
                    .ifPresent(
                        u -> out.add(balance(tenant, agent, key, u[1], current(stored, now)))));
    return out;
  }

  /**
   * The budgets of scopes above the agents that match every workspace/app/workflow filter given;
   * none when no such filter is.
   */
  private List<Map<String, Object>> scopeBalances(Context ctx, String tenant) {
    Map<String, String> wanted = new LinkedHashMap<>();
    for (String level : List.of("workspace", "app", "workflow")) {
      Optional.ofNullable(blankToNull(ctx.queryParam(level))).ifPresent(v -> wanted.put(level, v));
    }
    if (wanted.isEmpty()) {
      return List.of();
    }
    long now = clock.getAsLong();
    List<Map<String, Object>> out = new ArrayList<>();
    queries
        .tenant(tenant)
        .map(Tenant::scopeBudgets)
        .orElse(Map.of())
        .forEach(
            (key, stored) -> {
              String path = Scopes.pathOf(key);
              if (wanted.entrySet().stream()
                  .allMatch(
                      w -> List.of(path.split("/")).contains(w.getKey() + ":" + w.getValue()))) {
                String scope = "tenant:" + tenant + "/" + path;
                out.add(balance(scope, Scopes.unitOf(key), current(stored, now)));
              }
            });
    return out;
  }

  /** Period rolls are lazy; a balance shows the period that is running now. */
  private static Budget current(Budget b, long now) {
    return b.rollDue(now) ? b.rolled(b.period().startOf(now)) : b;
  }

  private static Map<String, Object> balance(
      String tenant, Agent agent, String key, String toolset, Budget b) {
    String scope =
        "tenant:"
            + tenant
            + "/agent:"
            + agent.id()
            + (toolset == null ? "" : "/toolset:" + toolset);
    Map<String, Object> v = balance(scope, Caps.unitOf(key), b);
    v.put("period", b.period().wireName()); // a daily budget and its monthly cap share a scope
    return v;
  }

  private static Map<String, Object> balance(String scope, String unit, Budget b) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("scope", scope);
    v.put("scope_path", scope);
    v.put("remaining", CyclesUnits.amount(unit, b.available()));
    v.put("reserved", CyclesUnits.amount(unit, b.reserved()));
    v.put("spent", CyclesUnits.amount(unit, b.spent()));
    v.put("allocated", CyclesUnits.amount(unit, b.limit() - b.delegated()));
    v.put("debt", CyclesUnits.amount(unit, 0));
    v.put("overdraft_limit", CyclesUnits.amount(unit, 0));
    v.put("is_over_limit", b.breakerOpen());
    return v;
  }

  private static Map<String, Object> summary(Reservation r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("reservation_id", r.id());
    out.put("status", r.status().name());
    out.put("idempotency_key", r.label().idempotencyKey());
    out.put("subject", r.label().subject());
    out.put("action", r.label().action());
    out.put("reserved", CyclesUnits.amount(r.unit(), r.amount()));
    if (r.committed() != null) {
      out.put("committed", CyclesUnits.amount(r.unit(), r.committed()));
    }
    out.put("created_at_ms", r.createdAtMs());
    out.put("expires_at_ms", r.expiresAtMs());
    if (r.finalizedAtMs() != null) {
      out.put("finalized_at_ms", r.finalizedAtMs());
    }
    out.put("scope_path", CyclesSubject.scopePath(r.label().subject()));
    out.put("affected_scopes", CyclesSubject.affectedScopes(r.label().subject()));
    return out;
  }

  /** An agent token sees its own reservations; an operator key, the tenant's. */
  private static boolean visible(Principal who, Reservation r) {
    return !(who instanceof Principal.AgentPrincipal a) || a.agent().id().equals(r.agentId());
  }

  /**
   * The filters against the subject as sent, but {@code agent} against the agent that pays: an
   * agent token's hold is that agent's even when its subject named only the tenant.
   */
  private static boolean subjectMatches(Context ctx, Reservation r) {
    return CyclesSubject.LEVELS.stream()
        .filter(l -> !l.equals("tenant"))
        .allMatch(
            l -> {
              String want = blankToNull(ctx.queryParam(l));
              Object have = l.equals("agent") ? r.agentId() : r.label().subject().get(l);
              return want == null || want.equals(have);
            });
  }

  private static int limit(Context ctx) {
    String raw = blankToNull(ctx.queryParam("limit"));
    try {
      int limit = raw == null ? 50 : Integer.parseInt(raw);
      if (limit < 1 || limit > 200) {
        throw CyclesRequest.invalid("limit must be within 1..200");
      }
      return limit;
    } catch (NumberFormatException e) {
      throw CyclesRequest.invalid("limit must be an integer");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static ApiProblem notFound(String id) {
    return CyclesErrors.error(404, "NOT_FOUND", "no reservation " + id);
  }

  /** One page of a sorted list; {@code next} is the last item shown when more follow. */
  private record Page<T>(List<T> items, Optional<T> next) {
    static <T> Page<T> of(List<T> sorted, int limit) {
      List<T> items = sorted.subList(0, Math.min(limit, sorted.size()));
      return new Page<>(
          items,
          sorted.size() > limit ? Optional.of(items.get(items.size() - 1)) : Optional.empty());
    }
  }
}
