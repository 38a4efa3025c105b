package dev.agentledger.api.http;

import dev.agentledger.api.auth.OperatorKeys;
import dev.agentledger.api.bus.Outcome;
import dev.agentledger.api.identity.CertificateAuthority;
import dev.agentledger.api.query.LedgerQueries;
import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.Command.CreateTenant;
import dev.agentledger.ledger.domain.Command.IssueOperatorKey;
import dev.agentledger.ledger.domain.Command.RevokeOperatorKey;
import dev.agentledger.ledger.domain.Event.OperatorKeyIssued;
import dev.agentledger.ledger.domain.Lifecycle;
import dev.agentledger.ledger.domain.Tenant;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /v1/tenants}: the admin API (tenants, operator keys) and each tenant's public PKI (CA
 * certificate, CRL). Key management needs the admin token; the CA and CRL are public, as relying
 * parties fetch them without credentials.
 */
public final class TenantHandlers {
  public static final String BASE = "/v1/tenants";
  private static final Pattern TENANT_PATH = Pattern.compile("^/v1/tenants/([^/]+)(/.*)?$");
  private static final Set<String> CREATE_FIELDS = Set.of("tenant_id");

  /** Every tenant id the ledger could hold (the operator-key grammar); others are 404 at once. */
  private static final Pattern ANY_TENANT = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

  private final AdminGate admin;
  private final Submissions submissions;
  private final LedgerQueries queries;
  private final CertificateAuthority ca;
  private final LongSupplier clock;
  private final Map<String, IssuedCrl> crls = new java.util.concurrent.ConcurrentHashMap<>();

  /** A CRL as issued, with the tenant's chain head it was built at. */
  private record IssuedCrl(byte[] head, long atMs, byte[] der) {}

  /**
   * A CRL is reissued once the tenant's chain moved (an agent ended) or after this long: anyone may
   * fetch it, and building one reads every agent of the tenant. Well inside its 5 min nextUpdate.
   */
  private static final long CRL_REUSE_MS = 30_000;

  public TenantHandlers(
      AdminGate admin,
      Submissions submissions,
      LedgerQueries queries,
      CertificateAuthority ca,
      LongSupplier clock) {
    this.admin = admin;
    this.submissions = submissions;
    this.queries = queries;
    this.ca = ca;
    this.clock = clock;
  }

  /** The admin credential check, for operational endpoints outside /v1/tenants. */
  AdminGate gate() {
    return admin;
  }

  /** The tenant a {@code /v1/tenants/{tenant}/...} path names. */
  static Optional<String> tenantInPath(String path) {
    Matcher m = TENANT_PATH.matcher(path);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      // The raw path: decoded as the handler's path parameter will be ('+' is not a space here).
      return Optional.of(
          java.net.URLDecoder.decode(m.group(1).replace("+", "%2B"), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException malformed) {
      return Optional.empty();
    }
  }

  /** POST /v1/tenants {tenant_id} — admin; the TenantCreated event is the tenant's first. */
  public void create(Context ctx) {
    admin.require(ctx);
    String tenant = JsonBody.parse(ctx.body(), CREATE_FIELDS).requiredString("tenant_id");
    Principal.Admin who = new Principal.Admin(tenant);
    submissions.answer(
        ctx,
        submissions.submit(ctx, who, new CreateTenant(tenant)),
        outcome -> {
          ctx.status(201);
          return Map.of("tenant_id", tenant, "evidence_seq", outcome.lastSeq());
        });
  }

  /**
   * POST /v1/tenants/{tenant}/operator-keys — admin; the key is in this answer and nowhere else.
   */
  public void issueKey(Context ctx) {
    Principal.Admin who = admin.admin(ctx, tenantParam(ctx));
    OperatorKeys.Issued issued = OperatorKeys.issue(who.tenant());
    IssueOperatorKey command = new IssueOperatorKey(issued.keyId(), issued.hash());
    submissions.answer(
        ctx, submissions.submit(ctx, who, command), outcome -> keyIssued(ctx, issued, outcome));
  }

  private static Map<String, Object> keyIssued(
      Context ctx, OperatorKeys.Issued issued, Outcome outcome) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tenant_id", issued.tenant());
    out.put("key_id", outcome.first(OperatorKeyIssued.class).keyId());
    // A replay under the same Idempotency-Key recorded another key's hash: its secret is gone.
    boolean ours = outcome.first(OperatorKeyIssued.class).keyHash().equals(issued.hash());
    out.put("api_key", ours ? issued.apiKey() : null);
    out.put("evidence_seq", outcome.lastSeq());
    out.put(
        "note",
        ours
            ? "store this key now: only its SHA-256 is kept, it cannot be shown again"
            : "this key was issued by an earlier request; its secret cannot be shown again");
    ctx.status(201);
    return out;
  }

  /** GET /v1/tenants/{tenant}/operator-keys — admin; ids and status, never secrets or hashes. */
  public void listKeys(Context ctx) {
    Principal.Admin who = admin.admin(ctx, tenantParam(ctx));
    Tenant tenant = existing(who.tenant());
    List<Map<String, Object>> keys = new ArrayList<>();
    tenant.operatorKeyHashes().keySet().forEach(id -> keys.add(key(id, "active")));
    tenant.revokedKeys().forEach(id -> keys.add(key(id, "revoked")));
    Http.json(ctx, 200, Map.of("tenant_id", tenant.id(), "operator_keys", keys));
  }

  private static Map<String, Object> key(String id, String status) {
    return Map.of("key_id", id, "status", status);
  }

  /** DELETE /v1/tenants/{tenant}/operator-keys/{key_id} — admin; the key stops working at once. */
  public void revokeKey(Context ctx) {
    Principal.Admin who = admin.admin(ctx, tenantParam(ctx));
    String keyId = ctx.pathParam("key_id");
    submissions.answer(
        ctx,
        submissions.submit(ctx, who, new RevokeOperatorKey(keyId)),
        outcome ->
            Map.of(
                "tenant_id",
                who.tenant(),
                "key_id",
                keyId,
                "status",
                "revoked",
                "evidence_seq",
                outcome.lastSeq()));
  }

  /** GET /v1/tenants/{tenant}/ca.pem — the tenant's CA certificate, to trust its agents. */
  public void caCertificate(Context ctx) {
    Tenant tenant = existing(tenantParam(ctx));
    ctx.status(200).contentType("application/x-pem-file").result(ca.caPem(tenant.id()));
  }

  /** GET /v1/tenants/{tenant}/crl — DER ({@code application/pkix-crl}, RFC 5280 §4.2.1.13). */
  public void crl(Context ctx) {
    ctx.status(200).contentType("application/pkix-crl").result(crlDer(ctx));
  }

  /** GET /v1/tenants/{tenant}/crl.pem — the same CRL in PEM. */
  public void crlPem(Context ctx) {
    ctx.status(200)
        .contentType("application/x-pem-file")
        .result(CertificateAuthority.crlPem(crlDer(ctx)));
  }

  /** The tenant's CRL: the last one issued while its chain has not moved since, else a new one. */
  private byte[] crlDer(Context ctx) {
    Tenant tenant = existing(tenantParam(ctx));
    long now = clock.getAsLong();
    byte[] head = queries.head(tenant.id());
    IssuedCrl last = crls.get(tenant.id());
    if (last != null && Arrays.equals(last.head(), head) && now - last.atMs() < CRL_REUSE_MS) {
      return last.der();
    }
    byte[] der = crlAt(tenant, now);
    crls.put(tenant.id(), new IssuedCrl(head, now, der));
    return der;
  }

  /**
   * Built from state: each delegated agent that ended or expired. Its revocation date is its expiry
   * when that has passed, else now (state keeps no end time; the AgentTerminated event has it).
   */
  private byte[] crlAt(Tenant tenant, long now) {
    List<CertificateAuthority.Revoked> revoked = new ArrayList<>();
    for (Agent a : queries.agents(tenant.id())) {
      if (!a.isRoot() && (a.lifecycle() == Lifecycle.TERMINATED || a.expiredAt(now))) {
        revoked.add(
            new CertificateAuthority.Revoked(
                CertificateAuthority.serialOf(tenant.id(), a.id()),
                Math.min(now, a.expiresAtMs())));
      }
    }
    return ca.crl(tenant.id(), revoked, now);
  }

  private static String tenantParam(Context ctx) {
    String tenant = ctx.pathParam("tenant");
    if (!ANY_TENANT.matcher(tenant).matches()) {
      throw new ApiProblem(404, "unknown_tenant", "no such tenant");
    }
    return tenant;
  }

  private Tenant existing(String tenant) {
    return queries
        .tenant(tenant)
        .filter(Tenant::exists)
        .orElseThrow(() -> new ApiProblem(404, "unknown_tenant", "no tenant " + tenant));
  }
}
