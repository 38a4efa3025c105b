// Streaming chain verifier (docs/evidence.md §3 and §5), independent of the Java one.
import { verify } from 'node:crypto';
import { HASH_LENGTH, SIGNATURE_LENGTH, ZERO_HASH, sha256, signingInput } from './signing-input.mjs';

/** Stable failure codes, in the order of the checks (same names as the Java FailureCode). */
export const Code = Object.freeze({
  MALFORMED: 'MALFORMED',
  RECORD_KEY_MISMATCH: 'RECORD_KEY_MISMATCH',
  UNKNOWN_KEY: 'UNKNOWN_KEY',
  BAD_SIGNATURE: 'BAD_SIGNATURE',
  HASH_MISMATCH: 'HASH_MISMATCH',
  OUT_OF_ORDER_OR_DUPLICATE: 'OUT_OF_ORDER_OR_DUPLICATE',
  SEQUENCE_GAP: 'SEQUENCE_GAP',
  CHAIN_BROKEN: 'CHAIN_BROKEN',
  BAD_CAUSE: 'BAD_CAUSE',
});

const STRING_FIELDS = ['tenant', 'event_id', 'command_id', 'actor', 'type', 'payload', 'key_id'];
const INT32_MAX = 2 ** 31 - 1;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** No last event yet: seq 0, hash = 32 zero bytes, no open command. */
const GENESIS = Object.freeze({
  seq: 0n, hash: ZERO_HASH, command_id: null, cause_index: 0, cause_count: 1,
});

/** A long field as BigInt, or undefined when it is not an integer in the i64 range. */
function toLong(v) {
  if (typeof v === 'bigint') return v >= I64_MIN && v <= I64_MAX ? v : undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  return undefined;
}

const isInt32 = (v) => Number.isInteger(v) && v >= -(2 ** 31) && v <= INT32_MAX;
const isBytes = (v) => Buffer.isBuffer(v);

/**
 * Check 1 of §5. Returns [problem, null] or [null, normalized event] (seq and time_ms BigInt).
 * Input: an object with the Avro field names; bytes fields Buffers; longs BigInt or safe numbers.
 */
export function normalize(raw) {
  if (raw === null || typeof raw !== 'object') return ['event is not an object', null];
  for (const f of STRING_FIELDS) {
    if (typeof raw[f] !== 'string') return [`${f} missing or not a string`, null];
    if (!raw[f].isWellFormed()) return [`${f} is not valid Unicode (lone surrogate)`, null];
  }
  const seq = toLong(raw.seq);
  if (seq === undefined) return ['seq missing or not a 64-bit integer', null];
  if (seq < 1n) return [`seq must be >= 1, is ${seq}`, null];
  const time = toLong(raw.time_ms);
  if (time === undefined) return ['time_ms missing or not a 64-bit integer', null];
  if (!isInt32(raw.cause_index)) return ['cause_index missing or not a 32-bit integer', null];
  if (!isInt32(raw.cause_count)) return ['cause_count missing or not a 32-bit integer', null];
  if (raw.cause_index < 0 || raw.cause_index >= raw.cause_count) {
    return [`need 0 <= cause_index < cause_count, got ${raw.cause_index} and ${raw.cause_count}`, null];
  }
  for (const [f, len] of [['prev_hash', HASH_LENGTH], ['hash', HASH_LENGTH], ['signature', SIGNATURE_LENGTH]]) {
    if (!isBytes(raw[f])) return [`${f} missing or not bytes`, null];
    if (raw[f].length !== len) return [`${f} must be ${len} bytes, is ${raw[f].length}`, null];
  }
  return [null, { ...raw, seq, time_ms: time }];
}

/** JSON-safe number for a BigInt seq (a string only beyond 2^53). */
export function jsonLong(v) {
  if (typeof v !== 'bigint') return v ?? null;
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
}

export class ChainVerifier {
  /**
   * @param {Map<string, {publicKey: import('node:crypto').KeyObject}>} keys trusted keys by key id
   * @param {{onVerified?: (event, signingInput: Buffer) => void}} [options] onVerified is called
   *   for every event that passes all checks, in stream order (e.g. to build Merkle leaves)
   */
  constructor(keys, { onVerified } = {}) {
    this.keys = keys;
    this.onVerified = onVerified;
    this.tails = new Map(); // tenant -> last authentic event
    this.events = 0;
    this.failures = 0;
    this.firstFailure = null;
  }

  /**
   * Checks the next event of the stream. `position` is its 0-based index in the stream; `where`
   * (optional) is extra context copied into a failure, e.g. {partition, offset}. `decodeError`
   * marks an input that could not even be read as an event (reported MALFORMED). `recordKey`, given
   * for Kafka records (null when the record has no key), must equal the event's tenant; inputs
   * without keys (files) leave it undefined and skip that check.
   * Returns the failure or null.
   */
  accept(raw, position, { where, decodeError, recordKey } = {}) {
    this.events++;
    const failure = this.#check(raw, position, decodeError, recordKey);
    if (failure) {
      Object.assign(failure, where);
      this.failures++;
      this.firstFailure ??= failure;
    }
    return failure;
  }

  /**
   * The stream has ended: a tenant whose last event leaves its command open has lost that
   * command's last events (a command's events always commit together). Each is a BAD_CAUSE at
   * position -1. Call once, after the whole stream.
   */
  finish() {
    const cut = [...this.tails.keys()].sort()
      .map((tenant) => this.tails.get(tenant))
      .filter((last) => last.cause_index < last.cause_count - 1)
      .map((last) => failure(Code.BAD_CAUSE, last, -1,
        `the stream ends inside command ${last.command_id}, after event ${last.cause_index + 1} of ${last.cause_count}`));
    for (const f of cut) {
      this.failures++;
      this.firstFailure ??= f;
    }
    return cut;
  }

  verdict() {
    return {
      ok: this.failures === 0,
      events: this.events,
      tenants: this.tails.size,
      failures: this.failures,
      first_failure: this.firstFailure,
    };
  }

  /** The last authentic event per tenant: tenant -> {seq (BigInt), hash (Buffer)}. */
  heads() {
    return new Map([...this.tails].map(([t, l]) => [t, { seq: l.seq, hash: l.hash }]));
  }

  #check(raw, position, decodeError, recordKey) {
    const [problem, e] = decodeError ? [decodeError, null] : normalize(raw);
    if (problem) return failure(Code.MALFORMED, raw, position, problem);
    // A record filed under another tenant's key (or none) is misfiled; it never touches the chain.
    if (recordKey !== undefined && recordKey !== e.tenant) {
      return failure(Code.RECORD_KEY_MISMATCH, e, position, `record key ${recordKey} is not the event's tenant`);
    }

    // 2-4: authenticity. A forged event never touches the chain state.
    const key = this.keys.get(e.key_id);
    if (!key) return failure(Code.UNKNOWN_KEY, e, position, `untrusted key id ${e.key_id}`);
    const input = signingInput(e);
    if (!verify(null, input, key.publicKey, e.signature)) {
      return failure(Code.BAD_SIGNATURE, e, position, `signature invalid for ${e.key_id}`);
    }
    if (!sha256(input).equals(e.hash)) {
      return failure(Code.HASH_MISMATCH, e, position, 'hash is not SHA-256(signing input)');
    }

    // 5-8: the chain, against the tenant's last authentic event.
    const last = this.tails.get(e.tenant) ?? GENESIS;
    const expected = last.seq + 1n;
    let result = null;
    if (e.seq < expected) {
      result = failure(Code.OUT_OF_ORDER_OR_DUPLICATE, e, position,
        `seq ${e.seq} already passed; expected ${expected}`);
    } else if (e.seq > expected) {
      result = failure(Code.SEQUENCE_GAP, e, position,
        `expected seq ${expected}, got ${e.seq}: ${e.seq - expected} missing`);
    } else if (!e.prev_hash.equals(last.hash)) {
      result = failure(Code.CHAIN_BROKEN, e, position,
        `prev_hash ${e.prev_hash.toString('hex')} is not the hash ${last.hash.toString('hex')} of seq ${last.seq}`);
    } else {
      const cause = causeProblem(last, e);
      if (cause) result = failure(Code.BAD_CAUSE, e, position, cause);
    }
    // An authentic event ahead of the chain becomes the head, so one gap or fork is reported once.
    if (e.seq > last.seq) this.tails.set(e.tenant, e);
    if (!result) this.onVerified?.(e, input);
    return result;
  }
}

/** §3: a command's events are consecutive, cause_index 0..cause_count-1, same command_id/count. */
function causeProblem(last, e) {
  if (last.cause_index < last.cause_count - 1) {
    if (e.command_id !== last.command_id || e.cause_count !== last.cause_count
        || e.cause_index !== last.cause_index + 1) {
      return `command ${last.command_id} stopped at event ${last.cause_index + 1} of ${last.cause_count}`;
    }
  } else if (e.cause_index !== 0) {
    return `command ${e.command_id} starts at cause_index ${e.cause_index}`;
  } else if (e.command_id === last.command_id) {
    return `command ${e.command_id} appears again after it completed`;
  }
  return null;
}

function failure(code, e, position, message) {
  const tenant = e && typeof e.tenant === 'string' ? e.tenant : null;
  const seq = e ? toLong(e.seq) : undefined;
  return { code, tenant, seq: seq === undefined ? null : jsonLong(seq), position, message };
}
