import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckpointChecker } from '../src/checkpoint.mjs';
import { readJsonl } from '../src/jsonl.mjs';
import { parseJwks } from '../src/keys.mjs';
import { leafHash } from '../src/merkle.mjs';
import { ChainVerifier } from '../src/verifier.mjs';

export const JS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = join(JS_DIR, '..', '..');
export const GOLDEN = join(JS_DIR, '..', 'src', 'test', 'resources', 'golden');
export const AVSC = join(REPO, 'schemas', 'src', 'main', 'avro', 'EvidenceEvent.avsc');

export const goldenKeys = () => parseJwks(JSON.parse(readFileSync(join(GOLDEN, 'jwks.json'), 'utf8')));
export const expected = () => JSON.parse(readFileSync(join(GOLDEN, 'expected.json'), 'utf8'));

/**
 * Verifies a JSON-lines file with the library against golden checkpoint files (names); returns
 * a summary shaped like the CLI's and the verifier.
 */
export async function verifyJsonl(path, { keys = goldenKeys(), checkpoints = [] } = {}) {
  const checker = new CheckpointChecker(keys);
  for (const name of checkpoints) checker.add(readFileSync(join(GOLDEN, name), 'utf8'), name);
  const verifier = new ChainVerifier(keys, {
    onVerified: (e, input) => checker.leaf(e.tenant, leafHash(input)),
  });
  for await (const { raw, error, position } of readJsonl(path)) {
    verifier.accept(raw, position, { decodeError: error });
  }
  verifier.finish();
  const v = verifier.verdict();
  const cp = checker.failures();
  return {
    ...v,
    chain_ok: v.ok,
    ok: v.ok && cp.length === 0,
    checkpoints: checker.count,
    first_checkpoint_failure: cp[0],
    verifier,
  };
}

/** The golden events parsed, bytes as Buffers, longs as BigInt. */
export function goldenEvents(file = 'valid.jsonl') {
  return readFileSync(join(GOLDEN, file), 'utf8').split('\n').filter((l) => l.trim()).map((l) => {
    const o = JSON.parse(l);
    for (const f of ['prev_hash', 'hash', 'signature']) o[f] = Buffer.from(o[f], 'hex');
    o.seq = BigInt(o.seq);
    o.time_ms = BigInt(o.time_ms);
    return o;
  });
}
