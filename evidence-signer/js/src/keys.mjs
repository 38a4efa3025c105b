// Trusted Ed25519 public keys from a JWKS (docs/evidence.md §4).
import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { sha256 } from './signing-input.mjs';

const BASE64URL_NO_PAD = /^[A-Za-z0-9_-]*$/;

/** Key id rule: "ed25519-" + first 16 lowercase hex chars of SHA-256(32-byte raw public key). */
export function keyIdOf(rawPublicKey) {
  return 'ed25519-' + sha256(rawPublicKey).toString('hex').slice(0, 16);
}

/**
 * Parses a JWKS document into Map(key id -> {publicKey: KeyObject, raw: 32-byte Buffer}). Like the Java verifier, every entry must be
 * a valid OKP/Ed25519 signing key; a `kid` that differs from the id derived from `x` is an error
 * (never trust `kid` alone). Throws on any invalid entry.
 */
export function parseJwks(jwks) {
  if (jwks === null || typeof jwks !== 'object' || !Array.isArray(jwks.keys)) {
    throw new Error('JWKS has no keys array');
  }
  const keys = new Map();
  jwks.keys.forEach((jwk, i) => {
    const where = `JWKS key #${i}`;
    if (jwk === null || typeof jwk !== 'object') throw new Error(`${where} is not an object`);
    if (jwk.kty !== 'OKP') throw new Error(`${where}: kty must be OKP, is ${jwk.kty}`);
    if (jwk.crv !== 'Ed25519') throw new Error(`${where}: crv must be Ed25519, is ${jwk.crv}`);
    if (jwk.alg !== undefined && jwk.alg !== 'EdDSA') throw new Error(`${where}: alg must be EdDSA`);
    if (jwk.use !== undefined && jwk.use !== 'sig') throw new Error(`${where}: use must be sig`);
    if (typeof jwk.x !== 'string' || !BASE64URL_NO_PAD.test(jwk.x)) {
      throw new Error(`${where}: x must be base64url without padding`);
    }
    const raw = Buffer.from(jwk.x, 'base64url');
    if (raw.length !== 32 || raw.toString('base64url') !== jwk.x) {
      throw new Error(`${where}: x must encode exactly 32 bytes`);
    }
    const kid = keyIdOf(raw);
    if (jwk.kid !== undefined && jwk.kid !== kid) {
      throw new Error(`${where}: kid ${jwk.kid} does not match its key (${kid})`);
    }
    keys.set(kid, { publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' }), raw });
  });
  return keys;
}

/** Loads a JWKS from a file path or an http(s) URL. */
export async function loadJwks(source) {
  let text;
  if (/^https?:\/\//i.test(source)) {
    const response = await fetch(source, { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`GET ${source}: HTTP ${response.status}`);
    text = await response.text();
  } else {
    text = await readFile(source, 'utf8');
  }
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`JWKS ${source} is not JSON: ${e.message}`);
  }
  return parseJwks(doc);
}
