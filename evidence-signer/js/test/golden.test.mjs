// Every golden vector gives the result expected.json names, through the library and the CLI.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ChainVerifier } from '../src/verifier.mjs';
import { GOLDEN, JS_DIR, expected, goldenEvents, goldenKeys, verifyJsonl } from './helpers.mjs';

const run = promisify(execFile);
const EXPECTED = expected();
const CHAIN_CODES = new Set([
  'MALFORMED', 'UNKNOWN_KEY', 'BAD_SIGNATURE', 'HASH_MISMATCH',
  'OUT_OF_ORDER_OR_DUPLICATE', 'SEQUENCE_GAP', 'CHAIN_BROKEN', 'BAD_CAUSE',
]);

/** What expected.json says the verifier reports for a file (chain or checkpoint failure). */
function expectedResult(exp) {
  if (exp.ok) return { ok: true };
  if (CHAIN_CODES.has(exp.code)) {
    return { ok: false, code: exp.code, tenant: exp.tenant, seq: exp.seq, position: exp.position };
  }
  assert.match(exp.code, /^CHECKPOINT_/, `unknown failure code ${exp.code}`);
  return { ok: false, chain_ok: exp.chain_ok, code: exp.code, checkpoint: exp.checkpoint, tenant: exp.tenant, size: exp.size };
}

function actualResult({ ok, chain_ok: chainOk, first_failure: f, first_checkpoint_failure: c }) {
  if (ok) return { ok: true };
  if (f) return { ok: false, code: f.code, tenant: f.tenant, seq: f.seq, position: f.position };
  return { ok: false, chain_ok: chainOk, code: c.code, checkpoint: c.checkpoint, tenant: c.tenant, size: c.size };
}

describe('golden vectors', () => {
  test('expected.json covers every .jsonl file and only existing ones', () => {
    const files = readdirSync(GOLDEN).filter((f) => f.endsWith('.jsonl')).sort();
    assert.deepEqual(Object.keys(EXPECTED).sort(), files);
    assert.ok(files.includes('valid.jsonl'));
    assert.ok(files.length >= 11, `only ${files.length} vectors`);
  });

  test('at least one vector fails for each chain failure code', () => {
    const codes = new Set(Object.values(EXPECTED).map((e) => e.code));
    for (const code of CHAIN_CODES) assert.ok(codes.has(code), `no vector for ${code}`);
  });

  for (const [file, exp] of Object.entries(EXPECTED)) {
    const checkpoints = exp.checkpoints ?? [];
    test(`${file} (library, ${checkpoints.length} checkpoints) → ${exp.ok ? 'ok' : exp.code}`, async () => {
      const result = await verifyJsonl(join(GOLDEN, file), { checkpoints });
      assert.deepEqual(actualResult(result), expectedResult(exp));
      assert.ok(result.events > 0);
      assert.equal(result.checkpoints, checkpoints.length);
    });

    test(`${file} (CLI --json) → exit ${exp.ok ? 0 : 1}`, async () => {
      const want = expectedResult(exp);
      const args = ['verify.mjs', '--file', join(GOLDEN, file), '--jwks', join(GOLDEN, 'jwks.json'), '--json',
        ...checkpoints.flatMap((c) => ['--checkpoint', join(GOLDEN, c)])];
      let stdout;
      let code = 0;
      try {
        ({ stdout } = await run(process.execPath, args, { cwd: JS_DIR }));
      } catch (e) {
        ({ stdout, code } = e);
      }
      assert.equal(code, want.ok ? 0 : 1);
      const summary = JSON.parse(stdout);
      assert.deepEqual(actualResult(summary), want);
      assert.equal(summary.tenants, 2);
      assert.equal(summary.checkpoints, checkpoints.length);
      if (summary.first_failure) assert.equal(typeof summary.first_failure.message, 'string');
      if (summary.first_checkpoint_failure) assert.equal(typeof summary.first_checkpoint_failure.message, 'string');
      if (want.ok) assert.equal(summary.first_failure ?? summary.first_checkpoint_failure, undefined);
    });
  }

  test('without its checkpoints, a rewritten or truncated history passes the stream checks', async () => {
    for (const file of ['rewritten-history.jsonl', 'dropped-tail.jsonl']) {
      assert.equal(EXPECTED[file].chain_ok, true);
      assert.equal((await verifyJsonl(join(GOLDEN, file))).ok, true, file);
    }
  });

  test('valid.jsonl: 6 events, heads acme seq 4 and globex seq 2', async () => {
    const { events, verifier } = await verifyJsonl(join(GOLDEN, 'valid.jsonl'));
    assert.equal(events, 6);
    const heads = verifier.heads();
    assert.equal(heads.get('acme').seq, 4n);
    assert.equal(heads.get('globex').seq, 2n);
  });

  test('a verifier trusting no key rejects the valid file with UNKNOWN_KEY', async () => {
    const result = await verifyJsonl(join(GOLDEN, 'valid.jsonl'), { keys: new Map() });
    assert.equal(result.first_failure.code, 'UNKNOWN_KEY');
    assert.equal(result.failures, 6);
  });
});

describe('Kafka record keys (§5 check 2)', () => {
  const feed = (records) => {
    const verifier = new ChainVerifier(goldenKeys());
    const failures = records
      .map(({ event, key }, position) => verifier.accept(event, position, { recordKey: key }))
      .filter(Boolean);
    return { failures, verdict: verifier.verdict() };
  };

  test('valid.jsonl keyed by tenant verifies', () => {
    const { verdict } = feed(goldenEvents().map((event) => ({ event, key: event.tenant })));
    assert.equal(verdict.ok, true);
  });

  test('an event filed under another tenant\'s key fails there and does not move the chain', () => {
    const events = goldenEvents();
    const records = events.map((event) => ({ event, key: event.tenant }));
    records.splice(2, 0, { event: events[2], key: 'globex' }); // acme seq 2 copied under globex
    const { failures } = feed(records);
    assert.deepEqual(failures.map((f) => [f.code, f.tenant, f.seq, f.position]),
      [['RECORD_KEY_MISMATCH', 'acme', 2, 2]]);
  });

  test('a record without a key fails; a file (no keys) is not checked', () => {
    const [first] = goldenEvents();
    assert.equal(feed([{ event: first, key: null }]).failures[0]?.code, 'RECORD_KEY_MISMATCH');
    assert.equal(feed([{ event: first, key: undefined }]).verdict.ok, true);
  });
});

describe('the end of the stream (§3)', () => {
  test('a stream that stops inside a command has lost its last events', () => {
    const verifier = new ChainVerifier(goldenKeys());
    // acme's cmd-03 has two events; the stream stops after the first
    goldenEvents().slice(0, 3).forEach((event, position) => verifier.accept(event, position));
    assert.equal(verifier.verdict().ok, true, 'nothing is wrong until the stream ends');
    const cut = verifier.finish();
    assert.equal(cut.length, 1);
    assert.equal(cut[0].code, 'BAD_CAUSE');
    assert.equal(cut[0].tenant, 'acme');
    assert.equal(cut[0].position, -1);
    assert.match(cut[0].message, /cmd-03, after event 1 of 2/);
    assert.equal(verifier.verdict().ok, false);
  });
});

describe('reading a line (§2)', () => {
  test('a long field named twice is refused, not read from wherever it comes first', async () => {
    const { parseLine } = await import('../src/jsonl.mjs');
    const line = readFileSync(join(GOLDEN, 'valid.jsonl'), 'utf8').split('\n')[0];
    assert.equal(parseLine(line).error, undefined);
    const nested = line.replace('{', '{"x":{"seq":1},'); // a second "seq", nested
    assert.match(parseLine(nested).error, /seq is named more than once/);
  });
});
