// Usage: node verify-jwt.mjs <jwks-url> <jwt>
// Verifies the token with `jose` against the remote JWKS (EdDSA, issuer agent-ledger) and prints
// its payload as one JSON line; exits 1 with the reason when verification fails.
import { createRemoteJWKSet, jwtVerify } from "jose";

const [jwksUrl, token] = process.argv.slice(2);
if (!jwksUrl || !token) {
  console.error("usage: node verify-jwt.mjs <jwks-url> <jwt>");
  process.exit(2);
}
try {
  const jwks = createRemoteJWKSet(new URL(jwksUrl));
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer: "agent-ledger",
    algorithms: ["EdDSA"],
  });
  console.log(JSON.stringify({ ok: true, alg: protectedHeader.alg, kid: protectedHeader.kid, payload }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, code: e.code ?? null, message: e.message }));
  process.exit(1);
}
