// The signed bytes of an evidence event, version 1 (docs/evidence.md §2).
import { createHash } from 'node:crypto';

export const DOMAIN = Buffer.from('agent-ledger/evidence/v1\n', 'ascii');
export const HASH_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;
export const ZERO_HASH = Buffer.alloc(HASH_LENGTH);

/**
 * Builds the signing input from an event whose fields were already validated (see
 * `malformation` in verifier.mjs): strings well-formed, seq and time_ms BigInt,
 * cause_index/cause_count non-negative int32, prev_hash a 32-byte Buffer.
 */
export function signingInput(e) {
  const parts = [DOMAIN];
  const lp = (s) => {
    const bytes = Buffer.from(s, 'utf8'); // safe: the caller checked isWellFormed()
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    parts.push(len, bytes);
  };
  const u32 = (v) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    parts.push(b);
  };
  const u64 = (v) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(v);
    parts.push(b);
  };
  const i64 = (v) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    parts.push(b);
  };
  lp(e.tenant);
  u64(e.seq);
  lp(e.event_id);
  lp(e.command_id);
  u32(e.cause_index);
  u32(e.cause_count);
  lp(e.actor);
  i64(e.time_ms);
  lp(e.type);
  lp(e.payload);
  parts.push(e.prev_hash); // exactly 32 raw bytes, no length prefix
  lp(e.key_id);
  return Buffer.concat(parts);
}

export function sha256(bytes) {
  return createHash('sha256').update(bytes).digest();
}
