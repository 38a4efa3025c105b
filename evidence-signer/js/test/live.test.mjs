// End-to-end against a running service: reads ledger.evidence with kafkajs, decodes it with the
// Confluent AvroDeserializer through the service's registry surface, verifies with its JWKS.
// Skipped unless LEDGER_LIVE_BOOTSTRAP, LEDGER_LIVE_REGISTRY and LEDGER_LIVE_JWKS are set
// (optional: LEDGER_LIVE_TOPIC, LEDGER_LIVE_MIN_CHECKPOINTS), e.g.
//   LEDGER_LIVE_BOOTSTRAP=localhost:9092 LEDGER_LIVE_REGISTRY=http://localhost:8080/registry \
//   LEDGER_LIVE_JWKS=http://localhost:8080/.well-known/jwks.json node --test test/live.test.mjs
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { JS_DIR } from './helpers.mjs';

const { LEDGER_LIVE_BOOTSTRAP: bootstrap, LEDGER_LIVE_REGISTRY: registry, LEDGER_LIVE_JWKS: jwks } = process.env;
const topic = process.env.LEDGER_LIVE_TOPIC ?? 'ledger.evidence';
const skip = bootstrap && registry && jwks
  ? false
  : 'set LEDGER_LIVE_BOOTSTRAP, LEDGER_LIVE_REGISTRY and LEDGER_LIVE_JWKS to verify a live service';

test('live topic verifies (kafkajs + Confluent AvroDeserializer + JWKS)', { skip, timeout: 180_000 }, async () => {
  const args = ['verify.mjs', '--bootstrap', bootstrap, '--registry', registry, '--jwks', jwks,
    '--topic', topic, '--json'];
  let stdout;
  let stderr;
  let code = 0;
  try {
    ({ stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd: JS_DIR }));
  } catch (e) {
    ({ stdout, stderr, code } = e);
  }
  assert.equal(code, 0, `exit ${code}\nstdout: ${stdout}\nstderr: ${stderr}`);
  const summary = JSON.parse(stdout);
  assert.equal(summary.ok, true);
  assert.ok(summary.events > 0, 'the topic holds no events: nothing was proven');
  assert.ok(summary.tenants > 0);
  assert.equal(summary.checkpoints_ok, true);
  const minCheckpoints = Number(process.env.LEDGER_LIVE_MIN_CHECKPOINTS ?? 0);
  assert.ok(summary.checkpoints >= minCheckpoints, `${summary.checkpoints} checkpoints, wanted >= ${minCheckpoints}`);
});
