// The JSON-lines form of evidence (golden vectors, Java CLI export, ledger.evidence.json):
// one object per line, Avro field names, bytes fields lowercase hex, time_ms a number.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const BYTES_FIELDS = ['prev_hash', 'hash', 'signature'];
const LONG_FIELDS = ['seq', 'time_ms'];
const HEX = /^(?:[0-9a-f]{2})*$/;

/**
 * Integer literals of the long fields, read from the raw text so values beyond 2^53 stay exact
 * (JSON.parse would round them). Inside JSON strings a quote is always escaped, so `"seq"` followed
 * by a colon can only be a member name; one named twice (again, or in a nested object) would leave
 * which one counts to the reader, so the line is refused.
 */
function exactLongs(line) {
  const out = {};
  for (const f of LONG_FIELDS) {
    if ((line.match(new RegExp(`"${f}"\\s*:`, 'g')) ?? []).length > 1) {
      return { error: `${f} is named more than once` };
    }
    const m = new RegExp(`"${f}"\\s*:\\s*(-?(?:0|[1-9][0-9]*))\\s*[,}]`).exec(line);
    if (m) out[f] = BigInt(m[1]);
  }
  return out;
}

/**
 * Parses one line. Returns {raw, error}: raw is the event object for ChainVerifier.accept (bytes
 * fields as Buffers, longs as BigInt) or whatever could be read; error is set when the line is not
 * an evidence event (bad JSON, bad hex), which the verifier reports as MALFORMED.
 */
export function parseLine(line) {
  let obj;
  try {
    obj = JSON.parse(line);
  } catch (e) {
    return { raw: null, error: `not JSON: ${e.message}` };
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    return { raw: null, error: 'line is not a JSON object' };
  }
  const raw = { ...obj };
  const longs = exactLongs(line);
  if (longs.error) return { raw, error: longs.error };
  for (const f of LONG_FIELDS) {
    if (typeof raw[f] === 'number' && !Number.isSafeInteger(raw[f]) && Number.isInteger(raw[f])) {
      raw[f] = longs[f] ?? raw[f];
    }
  }
  for (const f of BYTES_FIELDS) {
    if (typeof raw[f] !== 'string') continue; // normalize() names the missing field
    if (!HEX.test(raw[f])) return { raw, error: `${f} is not lowercase hex` };
    raw[f] = Buffer.from(raw[f], 'hex');
  }
  return { raw, error: undefined };
}

/** Async iterator over the non-blank lines of a file: {raw, error, position}. */
export async function* readJsonl(path) {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let position = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    yield { ...parseLine(line), position: position++ };
  }
}
