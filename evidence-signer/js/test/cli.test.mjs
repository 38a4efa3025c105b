// Exit codes and output of verify.mjs: 0 verified, 1 failed, 2 usage or I/O error.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { GOLDEN, JS_DIR } from './helpers.mjs';

const JWKS = join(GOLDEN, 'jwks.json');
const cli = (...args) => {
  const r = spawnSync(process.execPath, ['verify.mjs', ...args], { cwd: JS_DIR, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
// spawnSync blocks this process's event loop, so an in-process HTTP server cannot answer it.
const cliAsync = (...args) => new Promise((resolve) => {
  execFile(process.execPath, ['verify.mjs', ...args], { cwd: JS_DIR }, (e, out, err) => {
    resolve({ code: e ? e.code : 0, out, err });
  });
});

describe('CLI', () => {
  test('valid file, human summary → 0 VERIFIED', () => {
    const r = cli('--file', join(GOLDEN, 'valid.jsonl'), '--jwks', JWKS);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^VERIFIED: 6 events, 2 tenants; chain intact; 0 checkpoints match/);
  });

  test('tampered file, human summary → 1 naming the first failing event', () => {
    const r = cli('--file', join(GOLDEN, 'payload-bit-flip.jsonl'), '--jwks', JWKS);
    assert.equal(r.code, 1);
    assert.match(r.out, /^FAILED: /);
    assert.match(r.out, /first failing event: BAD_SIGNATURE tenant=acme seq=2 position=2/);
  });

  test('--json summary shape', () => {
    const r = cli('--file', join(GOLDEN, 'fork.jsonl'), '--jwks', JWKS, '--json');
    assert.equal(r.code, 1);
    const s = JSON.parse(r.out);
    assert.deepEqual(Object.keys(s.first_failure).sort(), ['code', 'message', 'position', 'seq', 'tenant']);
    assert.equal(s.ok, false);
    assert.equal(s.events, 6);
    assert.equal(s.tenants, 2);
  });

  test('usage errors → 2', () => {
    assert.equal(cli().code, 2);
    assert.equal(cli('--file', join(GOLDEN, 'valid.jsonl')).code, 2, 'no --jwks');
    assert.equal(cli('--file', 'a', '--bootstrap', 'b', '--jwks', JWKS).code, 2, 'two inputs');
    assert.equal(cli('--bootstrap', 'localhost:9', '--jwks', JWKS).code, 2, 'no --registry');
    assert.equal(cli('--file', 'a', '--jwks', JWKS, '--nope').code, 2, 'unknown option');
    assert.equal(cli('--help').code, 0);
  });

  test('I/O errors → 2: missing file, missing or invalid JWKS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-cli-'));
    const badKid = JSON.parse(readFileSync(JWKS, 'utf8'));
    badKid.keys[0].kid = 'ed25519-0000000000000000';
    writeFileSync(join(dir, 'bad-kid.json'), JSON.stringify(badKid));
    assert.equal(cli('--file', join(dir, 'none.jsonl'), '--jwks', JWKS).code, 2);
    assert.equal(cli('--file', join(GOLDEN, 'valid.jsonl'), '--jwks', join(dir, 'none.json')).code, 2);
    const r = cli('--file', join(GOLDEN, 'valid.jsonl'), '--jwks', join(dir, 'bad-kid.json'));
    assert.equal(r.code, 2);
    assert.match(r.err, /does not match/);
  });

  test('--jwks from an http URL', async () => {
    const server = createServer((req, res) => {
      res.writeHead(req.url === '/.well-known/jwks.json' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(readFileSync(JWKS));
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${server.address().port}`;
      const ok = await cliAsync('--file', join(GOLDEN, 'valid.jsonl'), '--jwks', `${base}/.well-known/jwks.json`);
      assert.equal(ok.code, 0, ok.err);
      const missing = await cliAsync('--file', join(GOLDEN, 'valid.jsonl'), '--jwks', `${base}/nope`);
      assert.equal(missing.code, 2);
      assert.match(missing.err, /HTTP 404/);
    } finally {
      server.close();
    }
  });

  test('--checkpoints-file (JSON lines {"note": …}, the Java CLI format)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-cli-'));
    const notes = ['valid-acme.checkpoint', 'valid-globex.checkpoint']
      .map((f) => JSON.stringify({ note: readFileSync(join(GOLDEN, f), 'utf8') }));
    writeFileSync(join(dir, 'cps.jsonl'), `${notes.join('\n')}\n`);
    writeFileSync(join(dir, 'bad.jsonl'), `${notes[0]}\n{"nope":1}\n`);
    const ok = cli('--file', join(GOLDEN, 'valid.jsonl'), '--jwks', JWKS, '--checkpoints-file', join(dir, 'cps.jsonl'), '--json');
    assert.equal(ok.code, 0, ok.out + ok.err);
    assert.equal(JSON.parse(ok.out).checkpoints, 2);
    const tail = cli('--file', join(GOLDEN, 'dropped-tail.jsonl'), '--jwks', JWKS, '--checkpoints-file', join(dir, 'cps.jsonl'));
    assert.equal(tail.code, 1);
    assert.match(tail.out, /chain intact; 2 checkpoints DO NOT MATCH/);
    assert.match(tail.out, /first failing checkpoint: CHECKPOINT_AHEAD_OF_EVENTS cps\.jsonl:1 tenant=acme size=4/);
    const bad = cli('--file', join(GOLDEN, 'valid.jsonl'), '--jwks', JWKS, '--checkpoints-file', join(dir, 'bad.jsonl'), '--json');
    assert.equal(bad.code, 1);
    assert.equal(JSON.parse(bad.out).first_checkpoint_failure.code, 'CHECKPOINT_MALFORMED');
    assert.equal(cli('--bootstrap', 'b:1', '--registry', 'http://r', '--jwks', JWKS, '--checkpoint', 'x').code, 2);
  });

  test('unreachable broker → 2, nothing on stdout', () => {
    const r = cli('--bootstrap', '127.0.0.1:1', '--registry', 'http://127.0.0.1:1/registry', '--jwks', JWKS, '--json', '--timeout-ms', '3000');
    assert.equal(r.code, 2, r.err);
    assert.equal(r.out, '');
  });
});
