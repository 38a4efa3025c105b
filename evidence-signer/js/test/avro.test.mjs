// Offline test of the topic-mode decoding path: Confluent wire-format Avro values decoded by
// Confluent's AvroDeserializer against a minimal registry stub, then verified.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import avro from 'avsc';
import { RegistryError, bigIntLongs, createAvroDecoder } from '../src/avro.mjs';
import { ChainVerifier } from '../src/verifier.mjs';
import { AVSC, goldenEvents, goldenKeys } from './helpers.mjs';

const SCHEMA_ID = 7;
const schemaText = readFileSync(AVSC, 'utf8');
const writer = avro.Type.forSchema(JSON.parse(schemaText), { typeHook: bigIntLongs });
const frame = (event, id = SCHEMA_ID) => {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(id, 1);
  return Buffer.concat([header, writer.toBuffer(event)]);
};

describe('Confluent AvroDeserializer path', () => {
  let server;
  let base;
  const requests = [];
  before(async () => {
    server = createServer((req, res) => {
      requests.push(req.url);
      const send = (status, body) => {
        res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
        res.end(JSON.stringify(body));
      };
      const m = /^\/registry\/schemas\/ids\/(\d+)(\?|$)/.exec(req.url);
      if (req.method === 'GET' && m && Number(m[1]) === SCHEMA_ID) return send(200, { schema: schemaText });
      if (m) return send(404, { error_code: 40403, message: `Schema ${m[1]} not found` });
      return send(404, { error_code: 404, message: 'HTTP 404 Not Found' });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${server.address().port}/registry`;
  });
  after(() => server.close());

  const decoder = () => {
    const decode = createAvroDecoder({ registryUrl: base, registryConfig: { maxRetries: 0 } });
    return (value) => decode('ledger.evidence', value);
  };

  test('decodes every golden event exactly and the stream verifies', async () => {
    const decode = decoder();
    const verifier = new ChainVerifier(goldenKeys());
    const events = goldenEvents();
    for (const [i, e] of events.entries()) {
      const { raw, error } = await decode(frame(e));
      assert.equal(error, undefined);
      assert.equal(typeof raw.seq, 'bigint');
      assert.equal(raw.time_ms, e.time_ms);
      assert.ok(Buffer.isBuffer(raw.signature));
      assert.equal(raw.payload, e.payload);
      assert.equal(verifier.accept(raw, i), null);
    }
    assert.deepEqual(verifier.verdict().ok, true);
  });

  test('the registry requests an unconfigured Confluent client makes (see README)', async () => {
    requests.length = 0;
    const decode = decoder();
    const associations = '/registry/associations/resources/-/ledger.evidence?resourceType=topic&associationType=value';
    await decode(frame(goldenEvents()[0]));
    assert.deepEqual(requests, [
      // default subject name strategy ASSOCIATED asks for the topic's association; a 404 makes it
      // fall back to TopicNameStrategy (subject "<topic>-value"). It asks again once the writer
      // schema is known (its cache key includes the schema).
      associations,
      `/registry/schemas/ids/${SCHEMA_ID}?subject=ledger.evidence-value`,
      associations,
    ]);
    await decode(frame(goldenEvents()[1]));
    assert.equal(requests.length, 3, 'later records are decoded from the client caches');
  });

  test('a flipped payload byte in the Avro value → BAD_SIGNATURE', async () => {
    const decode = decoder();
    const [e] = goldenEvents();
    const value = frame(e);
    const at = value.indexOf(Buffer.from('agent-7'));
    value[at] ^= 0x01;
    const { raw } = await decode(value);
    assert.equal(new ChainVerifier(goldenKeys()).accept(raw, 0).code, 'BAD_SIGNATURE');
  });

  test('seq beyond 2^53 survives decoding', async () => {
    const e = { ...goldenEvents()[0], seq: 2n ** 62n + 3n };
    const { raw } = await decoder()(frame(e));
    assert.equal(raw.seq, 2n ** 62n + 3n);
  });

  test('not wire format, truncated Avro, tombstone → decode error (MALFORMED)', async () => {
    const decode = decoder();
    const value = frame(goldenEvents()[0]);
    assert.match((await decode(Buffer.concat([Buffer.from([1]), value.subarray(1)]))).error, /wire format/);
    assert.match((await decode(value.subarray(0, 40))).error, /Avro decoding failed/);
    assert.match((await decode(null)).error, /tombstone/);
    const v = new ChainVerifier(goldenKeys());
    v.accept({ tenant: 'acme' }, 0, { decodeError: 'x' });
    assert.equal(v.verdict().first_failure.code, 'MALFORMED');
    assert.equal(v.verdict().first_failure.tenant, 'acme');
  });

  test('a schema id the registry does not know → RegistryError (I/O, not a verdict)', async () => {
    await assert.rejects(decoder()(frame(goldenEvents()[0], 99)), RegistryError);
  });
});
