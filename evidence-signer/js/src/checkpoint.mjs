// Signed checkpoints (C2SP signed note + tlog-checkpoint), docs/evidence.md §9.2–§9.4.
import { createHash, verify } from 'node:crypto';
import { EMPTY_ROOT, Frontier } from './merkle.mjs';

export const CheckpointCode = Object.freeze({
  MALFORMED: 'CHECKPOINT_MALFORMED',
  BAD_SIGNATURE: 'CHECKPOINT_BAD_SIGNATURE',
  UNTRUSTED: 'CHECKPOINT_UNTRUSTED',
  AHEAD_OF_EVENTS: 'CHECKPOINT_AHEAD_OF_EVENTS',
  ROOT_MISMATCH: 'CHECKPOINT_ROOT_MISMATCH',
});

export class CheckpointError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const malformed = (why) => new CheckpointError(CheckpointCode.MALFORMED, why);
const EM_DASH = '\u2014 ';
const MAX_SIGNATURES = 100;
const TOKEN = '[\\x21-\\x7e]{1,255}';
const ORIGIN = /^agent-ledger\/([\x21-\x2a\x2c-\x2e\x30-\x7e]{1,255})$/; // no '+' (2b), no '/' (2f)
const SIZE = /^(?:0|[1-9][0-9]{0,18})$/;
const NUM = '(0|-?[1-9][0-9]{0,18})';
const BUDGET = new RegExp(`^budget (${TOKEN}) (${TOKEN}) ${NUM} ${NUM} ${NUM}$`);
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

function base64Strict(s, what) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw malformed(`${what} is not base64`);
  const bytes = Buffer.from(s, 'base64');
  if (bytes.toString('base64') !== s) throw malformed(`${what} is not canonical padded base64`);
  return bytes;
}

function i64(s, what) {
  const v = BigInt(s);
  if (v < I64_MIN || v > I64_MAX) throw malformed(`${what} out of 64-bit range`);
  return v;
}

/** C2SP key name: non-empty, no '+', no control characters, no whitespace, no lone surrogates. */
function isKeyName(name) {
  return name.length > 0 && name.isWellFormed() && !/[+\s\x00-\x1f\x7f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u.test(name);
}

/** Note key ID of an Ed25519 key: first 4 bytes of SHA-256(name ‖ LF ‖ 0x01 ‖ raw public key). */
export function noteKeyId(name, rawPublicKey) {
  return createHash('sha256').update(Buffer.from(`${name}\n`, 'utf8')).update(Buffer.from([0x01]))
    .update(rawPublicKey).digest().subarray(0, 4);
}

/**
 * Steps 1–4 of §9.4: parses the note, checks its signatures against the trusted keys
 * (Map kid -> {publicKey, raw}) and parses the checkpoint text.
 * Returns {tenant, size (BigInt), root (Buffer), budgets, verifiedBy}; throws CheckpointError.
 */
export function openCheckpoint(note, keys) {
  // 1. the signed-note envelope
  if (typeof note !== 'string' || !note.isWellFormed()) throw malformed('not valid Unicode');
  const control = /[\x00-\x09\x0b-\x1f]/.exec(note);
  if (control) {
    throw malformed(`control character 0x${control[0].charCodeAt(0).toString(16).padStart(2, '0')} at index ${control.index}`);
  }
  const blank = note.lastIndexOf('\n\n');
  if (blank < 0) throw malformed('no blank line between text and signatures');
  const text = note.slice(0, blank + 1);
  const block = note.slice(blank + 2);
  if (block === '' || !block.endsWith('\n')) {
    throw malformed('signature lines must follow the blank line, each ending in a newline');
  }
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed(`more than ${MAX_SIGNATURES} signatures`);
  const signatures = lines.map((line) => {
    if (!line.startsWith(EM_DASH)) throw malformed('signature line must start with an em dash and a space');
    const rest = line.slice(EM_DASH.length);
    const space = rest.indexOf(' ');
    if (space <= 0) throw malformed('signature line needs a key name and a signature');
    const name = rest.slice(0, space);
    if (!isKeyName(name)) throw malformed('invalid key name in signature line');
    const blob = base64Strict(rest.slice(space + 1), 'signature');
    if (blob.length < 5) throw malformed('signature must be a 4-byte key ID and at least one byte');
    return { name, keyId: blob.subarray(0, 4), signature: blob.subarray(4) };
  });

  // 2-3. signatures by trusted keys; lines of unknown keys (witnesses, other keys) are ignored
  const message = Buffer.from(text, 'utf8');
  const verifiedBy = [];
  for (const s of signatures) {
    const key = keys.get(s.name);
    if (!key || !noteKeyId(s.name, key.raw).equals(s.keyId)) continue;
    if (s.signature.length !== 64 || !verify(null, message, key.publicKey, s.signature)) {
      throw new CheckpointError(CheckpointCode.BAD_SIGNATURE, `signature by ${s.name} does not verify`);
    }
    verifiedBy.push(s.name);
  }
  if (verifiedBy.length === 0) {
    throw new CheckpointError(CheckpointCode.UNTRUSTED, 'no signature by a trusted key');
  }

  // 4. the checkpoint text
  const body = text.slice(0, -1).split('\n');
  if (body.length < 3) throw malformed('text needs origin, size and root lines');
  if (body.some((l) => l === '')) throw malformed('empty line in text');
  const origin = ORIGIN.exec(body[0]);
  if (!origin) throw malformed('origin must be agent-ledger/<tenant>');
  if (!SIZE.test(body[1])) throw malformed('tree size must be decimal without leading zeros');
  const size = i64(body[1], 'tree size');
  const root = base64Strict(body[2], 'root hash');
  if (root.length !== 32) throw malformed('root hash must be 32 bytes');
  const budgets = body.slice(3).map((line) => {
    const m = BUDGET.exec(line);
    if (!m) throw malformed(`not a budget line: ${line.slice(0, 80)}`);
    return {
      root_agent: m[1], unit: m[2],
      limit: i64(m[3], 'limit'), spent: i64(m[4], 'spent'), delegated: i64(m[5], 'delegated'),
    };
  });
  for (let i = 1; i < budgets.length; i++) {
    const a = budgets[i - 1];
    const b = budgets[i];
    if (!(a.root_agent < b.root_agent || (a.root_agent === b.root_agent && a.unit < b.unit))) {
      throw malformed('budget lines must be sorted by root agent, then unit, without duplicates');
    }
  }
  return { tenant: origin[1], size, root, budgets, verifiedBy };
}

/**
 * Checks checkpoints against the verified events (steps 5–6 of §9.4) in O(log n) memory per
 * tenant: the notes are opened first, then the leaf hashes of the events stream past and the
 * tree's root is taken whenever it reaches a size some checkpoint signs.
 */
export class CheckpointChecker {
  #keys;
  #entries = []; // {label, cp?, failure?}
  #wanted = new Map(); // tenant -> Set of sizes (BigInt)
  #trees = new Map(); // tenant -> {frontier, roots: Map size -> root}

  constructor(keys) {
    this.#keys = keys;
  }

  /**
   * Adds a checkpoint note; `label` names it in a failure (file name or partition/offset). For a
   * note that does not open, the failure names the tenant of its origin line if it has one, else
   * `tenantHint` (e.g. the Kafka key), as information only.
   */
  add(note, label, tenantHint = null) {
    try {
      const cp = openCheckpoint(note, this.#keys);
      this.#entries.push({ label, cp });
      if (!this.#wanted.has(cp.tenant)) this.#wanted.set(cp.tenant, new Set());
      this.#wanted.get(cp.tenant).add(cp.size);
    } catch (err) {
      if (!(err instanceof CheckpointError)) throw err;
      const tenant = ORIGIN.exec(String(note).split('\n', 1)[0])?.[1] ?? tenantHint;
      this.#entries.push({ label, failure: { code: err.code, tenant, message: err.message } });
    }
  }

  /** Records a malformed checkpoint record (e.g. an undecodable Kafka value). */
  addMalformed(label, message, tenant = null) {
    this.#entries.push({ label, failure: { code: CheckpointCode.MALFORMED, tenant, message } });
  }

  /** The leaf hash of the tenant's next verified event (seq = leaves so far + 1). */
  leaf(tenant, hash) {
    let tree = this.#trees.get(tenant);
    if (!tree) this.#trees.set(tenant, (tree = { frontier: new Frontier(), roots: new Map() }));
    tree.frontier.append(hash);
    if (this.#wanted.get(tenant)?.has(tree.frontier.size)) {
      tree.roots.set(tree.frontier.size, tree.frontier.root());
    }
  }

  get count() {
    return this.#entries.length;
  }

  /** All checkpoint failures, in the order the checkpoints were added. */
  failures() {
    return this.#entries.flatMap(({ label, cp, failure }) => {
      if (failure) return [{ checkpoint: label, tenant: failure.tenant ?? null, size: null, ...failure }];
      const tree = this.#trees.get(cp.tenant);
      const have = tree?.frontier.size ?? 0n;
      const base = { checkpoint: label, tenant: cp.tenant, size: jsonSize(cp.size) };
      if (cp.size > have) {
        return [{ ...base, code: CheckpointCode.AHEAD_OF_EVENTS,
          message: `agent-ledger/${cp.tenant} signs ${cp.size} events, only ${have} verified events present: events are missing` }];
      }
      const root = cp.size === 0n ? EMPTY_ROOT : tree.roots.get(cp.size);
      if (!root.equals(cp.root)) {
        return [{ ...base, code: CheckpointCode.ROOT_MISMATCH,
          message: `root of the first ${cp.size} events is ${root.toString('base64')}, the checkpoint signs ${cp.root.toString('base64')}` }];
      }
      return [];
    });
  }
}

const jsonSize = (v) => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString());
