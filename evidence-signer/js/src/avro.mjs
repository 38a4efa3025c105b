// Decodes topic values (Confluent wire format: magic 0, 4-byte schema id, Avro binary) with
// Confluent's own AvroDeserializer, fetching writer schemas from a schema registry.
import { AvroDeserializer, RestError, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import avro from 'avsc';

/**
 * Avro longs as BigInt: seq is a u64 in the signed bytes and time_ms an i64, and avsc's default
 * long type refuses values beyond 2^53 ("potential precision loss").
 */
const BigIntLong = avro.types.LongType.__with({
  fromBuffer: (buf) => buf.readBigInt64LE(),
  toBuffer: (n) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (v) => BigInt(v),
  toJSON: (n) => (Number.isSafeInteger(Number(n)) ? Number(n) : n.toString()),
  isValid: (n) => typeof n === 'bigint',
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
});

/** avsc typeHook: every long (plain, or timestamp-millis which we read as its raw long) → BigInt. */
export function bigIntLongs(schema) {
  if (schema === 'long' || (schema && typeof schema === 'object' && schema.type === 'long')) {
    return BigIntLong;
  }
  return undefined;
}

/** The registry could not be asked (network, HTTP error): the run cannot verify anything. */
export class RegistryError extends Error {}

function isRegistryFailure(err) {
  return err instanceof RestError || err?.isAxiosError === true || err?.name === 'AxiosError';
}

/**
 * Returns async (topic, value: Buffer) => {raw, error}: raw the decoded record (bytes fields as
 * Buffers, longs as BigInt), or error when the value is not a decodable record (reported as
 * MALFORMED). Throws RegistryError when the registry cannot serve the writer schema.
 */
export function createAvroDecoder({ registryUrl, registryConfig = {} }) {
  const client = new SchemaRegistryClient({ baseURLs: [registryUrl], ...registryConfig });
  // Defaults on purpose (subject name strategy included): this proves the registry surface for an
  // unconfigured Confluent client. The conf object is also passed to avsc as Type.forSchema opts.
  const deserializer = new AvroDeserializer(client, SerdeType.VALUE, { typeHook: bigIntLongs });
  return async (topic, value) => {
    if (value === null || value === undefined) return { raw: null, error: 'record has no value (tombstone)' };
    if (value.length < 5 || value[0] !== 0) {
      return { raw: null, error: 'value is not in the Confluent wire format (magic byte 0 + 4-byte schema id)' };
    }
    try {
      const raw = await deserializer.deserialize(topic, value);
      return { raw, error: undefined };
    } catch (err) {
      if (isRegistryFailure(err)) {
        const id = value.readUInt32BE(1);
        const status = err.status ?? err.response?.status;
        throw new RegistryError(
          `schema registry ${registryUrl} could not serve schema id ${id}` +
            `${status ? ` (HTTP ${status})` : ''}: ${err.message}`,
          { cause: err },
        );
      }
      return { raw: null, error: `Avro decoding failed: ${err.message}` };
    }
  };
}
