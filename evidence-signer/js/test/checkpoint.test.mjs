// Merkle tree (RFC 9162) and signed checkpoints (C2SP signed note), docs/evidence.md §9.
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CheckpointChecker, noteKeyId, openCheckpoint } from '../src/checkpoint.mjs';
import { parseJwks } from '../src/keys.mjs';
import { EMPTY_ROOT, leafHash, rootOf, verifyConsistency, verifyInclusion } from '../src/merkle.mjs';
import { signingInput } from '../src/signing-input.mjs';
import { GOLDEN, goldenEvents, goldenKeys } from './helpers.mjs';

const hex = (h) => Buffer.from(h, 'hex');
const PROOFS = JSON.parse(readFileSync(join(GOLDEN, 'valid-proofs.json'), 'utf8'));
const ACME = readFileSync(join(GOLDEN, 'valid-acme.checkpoint'), 'utf8');
const KID = 'ed25519-b04a3c4831109829';
const goldenPrivate = createPrivateKey(readFileSync(join(GOLDEN, 'key.pem'), 'utf8'));
const goldenRaw = () => goldenKeys().get(KID).raw;

/** A signed note over `text` (ending in LF) by the golden test key (or another key/name). */
function signNote(text, { key = goldenPrivate, raw = goldenRaw(), name = KID } = {}) {
  const sig = sign(null, Buffer.from(text, 'utf8'), key);
  return `${text}\n\u2014 ${name} ${Buffer.concat([noteKeyId(name, raw), sig]).toString('base64')}\n`;
}
const acmeText = ACME.slice(0, ACME.lastIndexOf('\n\n') + 1);
const codeOf = (note, keys = goldenKeys()) => {
  try {
    openCheckpoint(note, keys);
    return 'OK';
  } catch (e) {
    return e.code;
  }
};

describe('Merkle tree', () => {
  const leaves = PROOFS.leaf_hashes.map(hex);

  test('leaf hashes are SHA-256(0x00 ‖ signing input) of the acme events', () => {
    const acme = goldenEvents().filter((e) => e.tenant === 'acme');
    assert.deepEqual(acme.map((e) => leafHash(signingInput(e)).toString('hex')), PROOFS.leaf_hashes);
    assert.equal(PROOFS.leaf_hashes[0], '94c24003e071d7340f49deafd3b416cb02fd97cb52f40eb8c1f4bc060a61364b');
  });

  test('roots at every size 0..4', () => {
    for (const { size, root } of PROOFS.roots) assert.equal(rootOf(leaves.slice(0, size)).toString('hex'), root, `size ${size}`);
    assert.equal(EMPTY_ROOT.toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  test('inclusion proofs verify, and fail for another leaf, index or size', () => {
    const root = hex(PROOFS.roots.find((r) => r.size === 4).root);
    for (const p of PROOFS.inclusion) {
      const proof = p.hashes.map(hex);
      const [i, n] = [BigInt(p.leaf_index), BigInt(p.tree_size)];
      assert.ok(verifyInclusion(i, n, leaves[p.leaf_index], proof, root), `leaf ${i}`);
      assert.ok(!verifyInclusion(i, n, leaves[(p.leaf_index + 1) % 4], proof, root));
      assert.ok(!verifyInclusion((i + 1n) % 4n, n, leaves[p.leaf_index], proof, root));
      assert.ok(!verifyInclusion(i, n + 1n, leaves[p.leaf_index], proof, root));
    }
  });

  test('consistency proofs verify, and fail against another root', () => {
    const roots = new Map(PROOFS.roots.map((r) => [r.size, hex(r.root)]));
    for (const p of PROOFS.consistency) {
      const proof = p.hashes.map(hex);
      const [m, n] = [BigInt(p.from_size), BigInt(p.to_size)];
      assert.ok(verifyConsistency(m, n, proof, roots.get(p.from_size), roots.get(p.to_size)), `${m} → ${n}`);
      if (p.from_size < p.to_size) {
        assert.ok(!verifyConsistency(m, n, proof, roots.get(p.from_size), roots.get(p.to_size - 1)));
      }
    }
  });

  test('frontier roots equal the recursive definition up to 70 leaves', () => {
    const mth = (d) => {
      if (d.length === 1) return d[0];
      let k = 1;
      while (k * 2 < d.length) k *= 2;
      return sha(Buffer.from([1]), mth(d.slice(0, k)), mth(d.slice(k)));
    };
    const sha = (...p) => p.reduce((h, b) => h.update(b), createHash('sha256')).digest();
    const many = Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from([i])));
    for (let n = 1; n <= 70; n++) assert.ok(rootOf(many.slice(0, n)).equals(mth(many.slice(0, n))), `n=${n}`);
  });
});

describe('checkpoint notes (§9.4 steps 1–4)', () => {
  test('the golden checkpoints open', () => {
    const cp = openCheckpoint(ACME, goldenKeys());
    assert.equal(cp.tenant, 'acme');
    assert.equal(cp.size, 4n);
    assert.equal(cp.root.toString('hex'), PROOFS.roots.find((r) => r.size === 4).root);
    assert.deepEqual(cp.budgets.map((b) => `${b.root_agent} ${b.unit} ${b.limit} ${b.spent} ${b.delegated}`),
      ['agent-7 tokens/gpt-4o 2000000 0 500000', 'agent-7 usd 10000 1250 2500']);
    assert.equal(noteKeyId(KID, goldenRaw()).toString('hex'), 'cb1d4c11');
    assert.equal(codeOf(readFileSync(join(GOLDEN, 'valid-globex.checkpoint'), 'utf8')), 'OK');
    assert.equal(codeOf(signNote(acmeText)), 'OK', 'Ed25519 is deterministic: re-signing gives a valid note');
    assert.equal(signNote(acmeText), ACME);
  });

  test('a changed text, size or root → CHECKPOINT_BAD_SIGNATURE', () => {
    assert.equal(codeOf(ACME.replace('\n4\n', '\n5\n')), 'CHECKPOINT_BAD_SIGNATURE');
    assert.equal(codeOf(ACME.replace('usd 10000', 'usd 10001')), 'CHECKPOINT_BAD_SIGNATURE');
  });

  test('no trusted signature → CHECKPOINT_UNTRUSTED; witness lines are ignored', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
    const witness = signNote(acmeText, { key: privateKey, raw, name: 'witness.example/w1' });
    assert.equal(codeOf(witness), 'CHECKPOINT_UNTRUSTED');
    assert.equal(codeOf(ACME, new Map()), 'CHECKPOINT_UNTRUSTED');
    // our signature plus a witness co-signature: fine
    assert.equal(codeOf(ACME + witness.slice(witness.lastIndexOf('\u2014'))), 'OK');
    // a line under the trusted name but another key ID is ignored, not an error
    const otherId = signNote(acmeText, { key: privateKey, raw, name: KID });
    assert.equal(codeOf(otherId), 'CHECKPOINT_UNTRUSTED');
  });

  for (const [name, note] of [
    ['CRLF line ends', ACME.replaceAll('\n', '\r\n')],
    ['no blank line', ACME.replace('\n\n', '\n')],
    ['no signature line', `${acmeText}\n`],
    ['signature line without final LF', ACME.slice(0, -1)],
    ['hyphen instead of em dash', ACME.replace('\u2014', '-')],
    ['non-canonical base64 in the signature', ACME.replace(/=\n$/, '\n')],
    ['lone surrogate', ACME.replace('agent-7', 'agent-\ud800')],
  ]) {
    test(`${name} → CHECKPOINT_MALFORMED`, () => assert.equal(codeOf(note), 'CHECKPOINT_MALFORMED'));
  }

  for (const [name, text] of [
    ['tenant with a slash', acmeText.replace('agent-ledger/acme', 'agent-ledger/ac/me')],
    ['origin of another log', acmeText.replace('agent-ledger/acme', 'example.com/log')],
    ['size with a leading zero', acmeText.replace('\n4\n', '\n04\n')],
    ['size beyond 2^63-1', acmeText.replace('\n4\n', '\n9223372036854775808\n')],
    ['root of 31 bytes', acmeText.replace(/\n[A-Za-z0-9+/=]{44}\n/, `\n${Buffer.alloc(31).toString('base64')}\n`)],
    ['unsorted budget lines', acmeText.replace(/(budget .*\n)(budget .*\n)$/, '$2$1')],
    ['duplicate budget line', acmeText.replace(/(budget .*usd.*\n)$/, '$1$1')],
    ['budget number -0', acmeText.replace('usd 10000 1250 2500', 'usd 10000 -0 2500')],
    ['unknown extension line', `${acmeText}note hello\n`],
    ['empty line in text', acmeText.replace('\nbudget', '\n\nbudget')],
  ]) {
    test(`correctly signed, but ${name} → CHECKPOINT_MALFORMED`, () => {
      assert.equal(codeOf(signNote(text)), 'CHECKPOINT_MALFORMED');
    });
  }
});

describe('CheckpointChecker (§9.4 steps 5–6)', () => {
  const acmeLeaves = PROOFS.leaf_hashes.map(hex);
  const checker = (leaves, ...notes) => {
    const c = new CheckpointChecker(goldenKeys());
    notes.forEach((n, i) => c.add(n, `cp${i}`));
    leaves.forEach((l) => c.leaf('acme', l));
    return c.failures();
  };

  test('a checkpoint of all events, of a prefix, and of size 0 match', () => {
    assert.deepEqual(checker(acmeLeaves, ACME), []);
    const atTwo = signNote(acmeText.replace('\n4\n', '\n2\n').replace(/\n[A-Za-z0-9+/=]{44}\n/, `\n${hex(PROOFS.roots[2].root).toString('base64')}\n`));
    assert.deepEqual(checker(acmeLeaves, atTwo, ACME), []);
    const empty = signNote(`agent-ledger/acme\n0\n${EMPTY_ROOT.toString('base64')}\n`);
    assert.deepEqual(checker([], empty), []);
  });

  test('fewer events → AHEAD_OF_EVENTS; other events → ROOT_MISMATCH', () => {
    assert.equal(checker(acmeLeaves.slice(0, 3), ACME)[0].code, 'CHECKPOINT_AHEAD_OF_EVENTS');
    const other = [...acmeLeaves];
    other[1] = acmeLeaves[2];
    const [f] = checker(other, ACME);
    assert.equal(f.code, 'CHECKPOINT_ROOT_MISMATCH');
    assert.deepEqual([f.checkpoint, f.tenant, f.size], ['cp0', 'acme', 4]);
  });

  test('the first failure is the first checkpoint added that fails', () => {
    const forged = ACME.replace('\n4\n', '\n3\n');
    const f = checker(acmeLeaves.slice(0, 3), ACME, forged);
    assert.deepEqual(f.map((x) => [x.checkpoint, x.code]),
      [['cp0', 'CHECKPOINT_AHEAD_OF_EVENTS'], ['cp1', 'CHECKPOINT_BAD_SIGNATURE']]);
  });

  test('keys: a JWKS key opens notes named by its kid', () => {
    const keys = parseJwks(JSON.parse(readFileSync(join(GOLDEN, 'jwks.json'), 'utf8')));
    assert.ok(keys.get(KID).raw.length === 32);
  });
});
