// The signed bytes, hash and key-id rules of docs/evidence.md §2, §4, §6.
import assert from 'node:assert/strict';
import { sign, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseLine } from '../src/jsonl.mjs';
import { keyIdOf, parseJwks } from '../src/keys.mjs';
import { sha256, signingInput } from '../src/signing-input.mjs';
import { ChainVerifier, normalize } from '../src/verifier.mjs';
import { GOLDEN, goldenEvents, goldenKeys } from './helpers.mjs';

describe('signing input', () => {
  test('matches valid-signing-inputs.txt for every valid event', () => {
    const lines = readFileSync(join(GOLDEN, 'valid-signing-inputs.txt'), 'utf8')
      .split('\n').filter((l) => l && !l.startsWith('#'));
    const events = goldenEvents();
    assert.equal(lines.length, events.length);
    lines.forEach((line, i) => {
      const [tenant, seq, hex] = line.split(' ');
      const e = events[i];
      assert.equal(e.tenant, tenant);
      assert.equal(e.seq, BigInt(seq));
      const input = signingInput(normalize(e)[1]);
      assert.equal(input.toString('hex'), hex);
      assert.ok(sha256(input).equals(e.hash), `hash of line ${i}`);
    });
  });

  test('worked example (§6): 193 bytes, hash f5d497c9…', () => {
    const [e] = goldenEvents();
    const input = signingInput(e);
    assert.equal(input.length, 193);
    assert.equal(input.subarray(0, 25).toString('latin1'), 'agent-ledger/evidence/v1\n');
    assert.equal(sha256(input).toString('hex'), 'f5d497c91a4e16598697209306b855a5d0bdbf9073b655992fe2347b84279cd1');
    assert.equal(input.subarray(-(4 + 24)).toString('hex'), '00000018' + Buffer.from('ed25519-b04a3c4831109829').toString('hex'));
  });

  test('lengths are UTF-8 byte lengths; prev_hash has no prefix', () => {
    const globex = goldenEvents()[1];
    const hex = signingInput(globex).toString('hex');
    assert.ok(hex.includes('0000000b7a6fc3ab40676c6f626578'), 'lp("zoë@globex")');
    const robot = Buffer.from(globex.payload, 'utf8');
    assert.ok(hex.includes(Buffer.concat([Buffer.from([0, 0, 0, robot.length]), robot]).toString('hex')));
    assert.notEqual(robot.length, globex.payload.length);
  });

  test('64-bit seq and negative time_ms are encoded exactly (u64, i64 big-endian)', () => {
    const e = { ...goldenEvents()[0], seq: 2n ** 60n + 1n, time_ms: -1n };
    const input = signingInput(e);
    const seqAt = 25 + 4 + 4;
    assert.equal(input.subarray(seqAt, seqAt + 8).toString('hex'), '1000000000000001');
    assert.ok(input.toString('hex').includes('ffffffffffffffff'));
  });

  test('key id rule and example (§4)', () => {
    const raw = Buffer.from('95452c45ae3c62bd1c40902b55d5bbc35642d5992bca78d68d0ac7c7db77a2ab', 'hex');
    assert.equal(keyIdOf(raw), 'ed25519-b04a3c4831109829');
    assert.equal(raw.toString('base64url'), 'lUUsRa48Yr0cQJArVdW7w1ZC1ZkrynjWjQrHx9t3oqs');
    assert.deepEqual([...goldenKeys().keys()], ['ed25519-b04a3c4831109829']);
  });
});

describe('JWKS', () => {
  const good = { kty: 'OKP', crv: 'Ed25519', x: 'lUUsRa48Yr0cQJArVdW7w1ZC1ZkrynjWjQrHx9t3oqs', kid: 'ed25519-b04a3c4831109829', use: 'sig', alg: 'EdDSA' };
  test('accepts the golden key, also without kid', () => {
    assert.equal(parseJwks({ keys: [good] }).size, 1);
    const { kid, ...noKid } = good;
    assert.ok(parseJwks({ keys: [noKid] }).has(kid));
  });
  test('rejects a kid that is not derived from x', () => {
    assert.throws(() => parseJwks({ keys: [{ ...good, kid: 'ed25519-0000000000000000' }] }), /does not match/);
  });
  test('rejects padding, wrong length, wrong kty/crv/alg/use, no keys array', () => {
    assert.throws(() => parseJwks({ keys: [{ ...good, x: good.x + '=' }] }), /base64url/);
    assert.throws(() => parseJwks({ keys: [{ ...good, x: good.x.slice(0, 40) }] }), /32 bytes/);
    assert.throws(() => parseJwks({ keys: [{ ...good, kty: 'EC' }] }), /kty/);
    assert.throws(() => parseJwks({ keys: [{ ...good, crv: 'Ed448' }] }), /crv/);
    assert.throws(() => parseJwks({ keys: [{ ...good, alg: 'ES256' }] }), /alg/);
    assert.throws(() => parseJwks({ keys: [{ ...good, use: 'enc' }] }), /use/);
    assert.throws(() => parseJwks({}), /keys array/);
  });
});

describe('malformed events and exact JSON longs', () => {
  const valid = () => goldenEvents()[0];
  const code = (e) => new ChainVerifier(goldenKeys()).accept(e, 0)?.code ?? 'OK';

  test('the first valid event passes', () => assert.equal(code(valid()), 'OK'));

  for (const [name, mutate] of [
    ['lone surrogate in actor', (e) => { e.actor = 'ali\ud800ce'; }],
    ['missing payload', (e) => { delete e.payload; }],
    ['seq 0', (e) => { e.seq = 0n; }],
    ['cause_index = cause_count', (e) => { e.cause_index = 1; }],
    ['negative cause_index', (e) => { e.cause_index = -1; }],
    ['31-byte prev_hash', (e) => { e.prev_hash = e.prev_hash.subarray(1); }],
    ['33-byte hash', (e) => { e.hash = Buffer.concat([e.hash, Buffer.alloc(1)]); }],
    ['hex string instead of bytes', (e) => { e.signature = e.signature.toString('hex'); }],
    ['fractional time_ms', (e) => { e.time_ms = 1.5; }],
  ]) {
    test(`${name} → MALFORMED`, () => {
      const e = valid();
      mutate(e);
      assert.equal(code(e), 'MALFORMED');
    });
  }

  test('key_id is signed: relabelling a signature to another trusted key fails', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const jwk = publicKey.export({ format: 'jwk' });
    const keys = new Map([...goldenKeys(), ...parseJwks({ keys: [jwk] })]);
    const e = valid();
    e.key_id = [...keys.keys()][1];
    assert.equal(new ChainVerifier(keys).accept(e, 0).code, 'BAD_SIGNATURE');
  });

  test('an event re-signed by an untrusted key claiming the trusted kid → BAD_SIGNATURE', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const e = valid();
    const input = signingInput(e);
    e.signature = sign(null, input, privateKey);
    assert.equal(code(e), 'BAD_SIGNATURE');
  });

  test('JSON lines: bad JSON, bad hex, uppercase hex, lone-surrogate escape → MALFORMED', () => {
    const line = readFileSync(join(GOLDEN, 'valid.jsonl'), 'utf8').split('\n')[0];
    assert.equal(parseLine(line).error, undefined);
    assert.match(parseLine(line.slice(0, -1)).error, /not JSON/);
    assert.match(parseLine(line.replace('"hash":"f5', '"hash":"g5')).error, /hash is not lowercase hex/);
    assert.match(parseLine(line.replace('"hash":"f5', '"hash":"F5')).error, /hash is not lowercase hex/);
    const { raw } = parseLine(line.replace('alice@acme', 'alice\\ud800'));
    assert.equal(code(raw), 'MALFORMED');
  });

  test('JSON lines: longs beyond 2^53 are read exactly', () => {
    const line = readFileSync(join(GOLDEN, 'valid.jsonl'), 'utf8').split('\n')[0]
      .replace('"seq":1,', '"seq":9007199254740993,').replace('"time_ms":1767225600000', '"time_ms":-9223372036854775808');
    const { raw, error } = parseLine(line);
    assert.equal(error, undefined);
    assert.equal(raw.seq, 9007199254740993n);
    assert.equal(raw.time_ms, -(2n ** 63n));
    assert.equal(normalize(raw)[0], null);
  });
});
