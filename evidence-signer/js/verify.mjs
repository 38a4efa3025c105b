#!/usr/bin/env node
// agent-ledger evidence verifier (JavaScript), written from docs/evidence.md alone.
// Exit 0: everything verified. 1: verification failed. 2: usage or I/O error.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CheckpointChecker } from './src/checkpoint.mjs';
import { readJsonl } from './src/jsonl.mjs';
import { loadJwks } from './src/keys.mjs';
import { leafHash } from './src/merkle.mjs';
import { ChainVerifier } from './src/verifier.mjs';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

const USAGE = `usage:
  node verify.mjs --file <events.jsonl> --jwks <file-or-url>
                  [--checkpoint <note-file>]... [--checkpoints-file <notes.jsonl>] [--json]
  node verify.mjs --bootstrap <host:port>[,...] --registry <registry-base-url> --jwks <file-or-url>
                  [--topic ledger.evidence] [--checkpoints-topic ledger.checkpoints | --no-checkpoints]
                  [--timeout-ms 120000] [--json] [--verbose]

Verifies agent-ledger evidence (docs/evidence.md): Ed25519 signatures, hashes, per-tenant hash
chain, gapless seq, causes, and signed checkpoints (signature, Merkle root over the events).
--checkpoint takes a signed note as a file; --checkpoints-file one JSON object {"note": "..."} per
line (the Java CLI's format). Exit 0 if all holds, 1 if verification failed, 2 on usage/I-O errors.`;

class UsageError extends Error {}

function parseCli(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        file: { type: 'string' },
        checkpoint: { type: 'string', multiple: true, default: [] },
        'checkpoints-file': { type: 'string' },
        bootstrap: { type: 'string' },
        registry: { type: 'string' },
        topic: { type: 'string', default: 'ledger.evidence' },
        'checkpoints-topic': { type: 'string', default: 'ledger.checkpoints' },
        'no-checkpoints': { type: 'boolean', default: false },
        jwks: { type: 'string' },
        json: { type: 'boolean', default: false },
        'timeout-ms': { type: 'string', default: '120000' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(e.message);
  }
  if (values.help) return { help: true };
  if (!values.jwks) throw new UsageError('--jwks is required');
  if (Boolean(values.file) === Boolean(values.bootstrap)) {
    throw new UsageError('give exactly one input: --file or --bootstrap');
  }
  if (values.bootstrap && !values.registry) throw new UsageError('--bootstrap needs --registry');
  if (values.file && values.registry) throw new UsageError('--registry only goes with --bootstrap');
  if (values.bootstrap && (values.checkpoint.length || values['checkpoints-file'])) {
    throw new UsageError('with --bootstrap, checkpoints come from --checkpoints-topic');
  }
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout-ms must be a positive integer');
  return { ...values, timeoutMs };
}

/** Strict UTF-8: a note with invalid bytes is not silently repaired. */
const utf8 = (bytes, what) => {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { invalid: `${what} is not valid UTF-8` };
  }
};

async function addCheckpointFiles(opts, checkpoints) {
  for (const path of opts.checkpoint) {
    const note = utf8(await readFile(path), path);
    if (typeof note === 'string') checkpoints.add(note, basename(path));
    else checkpoints.addMalformed(basename(path), note.invalid);
  }
  const jsonl = opts['checkpoints-file'];
  if (!jsonl) return;
  const lines = (await readFile(jsonl, 'utf8')).split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const label = `${basename(jsonl)}:${i + 1}`;
    let note;
    try {
      note = JSON.parse(line).note;
    } catch (e) {
      checkpoints.addMalformed(label, `not JSON: ${e.message}`);
      return;
    }
    if (typeof note === 'string') checkpoints.add(note, label);
    else checkpoints.addMalformed(label, 'no string member "note"');
  });
}

async function verifyFile(opts, verifier) {
  for await (const { raw, error, position } of readJsonl(opts.file)) {
    verifier.accept(raw, position, { decodeError: error });
  }
  return {};
}

async function verifyTopic(opts, verifier, checkpoints) {
  // Loaded only here: the Confluent client pulls in many modules (~1.5 s), --file needs none.
  const { createAvroDecoder } = await import('./src/avro.mjs');
  const { readTopic } = await import('./src/kafka.mjs');
  const decode = createAvroDecoder({ registryUrl: opts.registry });
  const common = { bootstrap: opts.bootstrap, timeoutMs: opts.timeoutMs, verbose: opts.verbose };

  // Checkpoints first: their end offsets are taken before the evidence's, so every checkpoint read
  // was committed before the evidence snapshot and the events it signs are in that snapshot.
  if (!opts['no-checkpoints']) {
    const topic = opts['checkpoints-topic'];
    await readTopic({
      ...common,
      topic,
      onRecord: async ({ key, value, partition, offset }) => {
        const label = `${topic}[${partition}]@${offset}`;
        const { raw, error } = await decode(topic, value);
        if (error) checkpoints.addMalformed(label, error, key);
        else if (typeof raw?.note !== 'string') checkpoints.addMalformed(label, 'record has no string field note', key);
        else checkpoints.add(raw.note, label, key);
      },
    });
  }
  let position = 0;
  const stats = await readTopic({
    ...common,
    topic: opts.topic,
    onRecord: async ({ key, value, partition, offset }) => {
      const { raw, error } = await decode(opts.topic, value);
      verifier.accept(error ? { tenant: key } : raw, position++, {
        decodeError: error,
        recordKey: key,
        where: { partition, offset: Number(offset) },
      });
    },
  });
  return { partitions: stats.partitions };
}

function describe(s) {
  const lines = [
    `${s.ok ? 'VERIFIED' : 'FAILED'}: ${s.events} events, ${s.tenants} tenants; ` +
      `chain ${s.chain_ok ? 'intact' : 'BROKEN'}; ${s.checkpoints} checkpoints ${s.checkpoints_ok ? 'match' : 'DO NOT MATCH'}`,
  ];
  const f = s.first_failure;
  if (f) {
    const at = f.partition === undefined ? '' : ` (partition ${f.partition}, offset ${f.offset})`;
    lines.push(`  first failing event: ${f.code} tenant=${f.tenant} seq=${f.seq} position=${f.position}${at}: ${f.message}`);
  }
  const c = s.first_checkpoint_failure;
  if (c) lines.push(`  first failing checkpoint: ${c.code} ${c.checkpoint} tenant=${c.tenant} size=${c.size}: ${c.message}`);
  return lines.join('\n');
}

/** Runs the CLI; returns the exit code. `out`/`err` are writable streams. */
export async function main(argv, { out = process.stdout, err = process.stderr } = {}) {
  let opts;
  try {
    opts = parseCli(argv);
  } catch (e) {
    err.write(`error: ${e.message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (opts.help) {
    out.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  let verifier;
  let checkpoints;
  let extra;
  try {
    const keys = await loadJwks(opts.jwks);
    checkpoints = new CheckpointChecker(keys);
    verifier = new ChainVerifier(keys, {
      onVerified: (e, signingInput) => checkpoints.leaf(e.tenant, leafHash(signingInput)),
    });
    if (opts.file) {
      await addCheckpointFiles(opts, checkpoints);
      extra = await verifyFile(opts, verifier);
    } else {
      extra = await verifyTopic(opts, verifier, checkpoints);
    }
  } catch (e) {
    err.write(`error: ${e.message}\n`);
    if (opts.verbose && e.stack) err.write(`${e.stack}\n`);
    return EXIT_USAGE;
  }
  verifier.finish();
  const v = verifier.verdict();
  const cpFailures = checkpoints.failures();
  const summary = {
    ok: v.ok && cpFailures.length === 0,
    events: v.events,
    tenants: v.tenants,
    chain_ok: v.ok,
    failures: v.failures,
    checkpoints: checkpoints.count,
    checkpoints_ok: cpFailures.length === 0,
    ...extra,
    ...(v.first_failure ? { first_failure: v.first_failure } : {}),
    ...(cpFailures.length ? { first_checkpoint_failure: cpFailures[0] } : {}),
  };
  out.write(opts.json ? `${JSON.stringify(summary)}\n` : `${describe(summary)}\n`);
  return summary.ok ? EXIT_OK : EXIT_FAILED;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
  // Do not let a lingering socket or timer of a client library keep the process alive.
  setTimeout(() => process.exit(), 200).unref();
}
