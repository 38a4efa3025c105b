// RFC 6962 / RFC 9162 §2.1 Merkle tree over a tenant's events (docs/evidence.md §9.1, §9.5, §9.6).
import { createHash } from 'node:crypto';

const sha256 = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

export const EMPTY_ROOT = sha256();
/** Leaf hash of an event: SHA-256(0x00 ‖ signing input) — not the event's `hash` field. */
export const leafHash = (signingInput) => sha256(LEAF, signingInput);
export const nodeHash = (left, right) => sha256(NODE, left, right);
const isHash = (h) => Buffer.isBuffer(h) && h.length === 32;

/**
 * A tree grown leaf by leaf, keeping only its frontier: the roots of its perfect subtrees, largest
 * first (one per set bit of the size). O(log n) memory.
 */
export class Frontier {
  size = 0n;
  #stack = []; // [{height, hash}]

  append(leaf) {
    let node = { height: 0, hash: leaf };
    while (this.#stack.length && this.#stack.at(-1).height === node.height) {
      const left = this.#stack.pop();
      node = { height: node.height + 1, hash: nodeHash(left.hash, node.hash) };
    }
    this.#stack.push(node);
    this.size++;
  }

  /** MTH of all leaves so far: the frontier folded right to left. */
  root() {
    if (this.#stack.length === 0) return EMPTY_ROOT;
    let r = this.#stack.at(-1).hash;
    for (let i = this.#stack.length - 2; i >= 0; i--) r = nodeHash(this.#stack[i].hash, r);
    return r;
  }
}

/** MTH of an array of leaf hashes. */
export function rootOf(leaves) {
  const f = new Frontier();
  for (const leaf of leaves) f.append(leaf);
  return f.root();
}

/** RFC 9162 §2.1.3.2. index and size are BigInt. */
export function verifyInclusion(index, size, leaf, proof, root) {
  if (index < 0n || index >= size || ![leaf, root, ...proof].every(isHash)) return false;
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && r.equals(root);
}

/** RFC 9162 §2.1.4.2: the tree of size m (root rootM) is a prefix of the one of size n. BigInt sizes. */
export function verifyConsistency(m, n, proof, rootM, rootN) {
  if (m <= 0n || m > n || ![rootM, rootN, ...proof].every(isHash)) return false;
  if (m === n) return proof.length === 0 && rootM.equals(rootN);
  if (proof.length === 0) return false;
  const path = (m & (m - 1n)) === 0n ? [rootM, ...proof] : [...proof];
  let fn = m - 1n;
  let sn = n - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && fr.equals(rootM) && sr.equals(rootN);
}
