// Reads a whole topic, from the beginning to the end offsets taken at start, with kafkajs.
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

/** kafkajs logs to stdout by default; keep stdout for the summary (--json). */
const stderrLogger = () => ({ namespace, label, log }) => {
  const { message, error } = log;
  process.stderr.write(`kafkajs ${label} ${namespace}: ${message}${error ? ` (${error})` : ''}\n`);
};

/**
 * Calls `onRecord({key, value, partition, offset})` (awaited, one at a time) for every committed
 * record of `topic` below the end offsets read when the call starts. Records of one partition come
 * in offset order; partitions may interleave. Isolation is read_committed (kafkajs's default, set
 * explicitly): records of aborted transactions and transaction markers are skipped.
 *
 * The end offset of a partition is its high watermark; progress is tracked from the offsets of
 * fetched batches (including markers and aborted records), so a partition whose log ends in a
 * commit marker is finished too. A transaction still open at the end offset is waited for. One
 * deadline (`timeoutMs`) covers connecting, listing offsets and consuming.
 *
 * @returns {Promise<{partitions: number, records: number}>}
 */
export async function readTopic({ bootstrap, topic, timeoutMs = 120_000, verbose = false, onRecord }) {
  const kafka = new Kafka({
    clientId: 'agent-ledger-verify-js',
    brokers: bootstrap.split(',').map((b) => b.trim()).filter(Boolean),
    logLevel: verbose ? logLevel.INFO : logLevel.NOTHING, // errors reach the caller anyway
    logCreator: stderrLogger,
    retry: { retries: 5 },
  });
  const abort = new AbortController();
  let progress = 'connecting';
  const timer = setTimeout(() => abort.abort(new Error(
    `timed out after ${timeoutMs} ms reading ${topic} from ${bootstrap} (${progress})`)), timeoutMs);
  const aborted = new Promise((_, reject) => {
    abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true });
  });
  aborted.catch(() => {});
  try {
    return await Promise.race([
      consume(kafka, topic, onRecord, abort.signal, (p) => { progress = p; }),
      aborted,
    ]);
  } catch (err) {
    if (err === abort.signal.reason) throw err;
    throw new Error(`cannot read ${topic} from ${bootstrap}: ${err.message}`, { cause: err });
  } finally {
    clearTimeout(timer);
    abort.abort(new Error('done'));
  }
}

async function consume(kafka, topic, onRecord, signal, setProgress) {
  const admin = kafka.admin();
  let offsets;
  try {
    await admin.connect();
    offsets = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect().catch(() => {});
  }
  signal.throwIfAborted();

  const remaining = new Map(); // partition -> {end, next}: fetch position still below end
  for (const { partition, high, low } of offsets) {
    if (BigInt(high) > BigInt(low)) remaining.set(partition, { end: BigInt(high), next: BigInt(low) });
  }
  const ends = new Map([...remaining].map(([p, s]) => [p, s.end]));
  const describe = () => [...remaining]
    .map(([p, s]) => `partition ${p} at offset ${s.next} of ${s.end}`).join(', ');
  let records = 0;
  if (remaining.size === 0) return { partitions: offsets.length, records };

  const consumer = kafka.consumer({
    groupId: `agent-ledger-verify-js-${randomUUID()}`, // own group, offsets never committed
    readUncommitted: false, // = isolation.level read_committed
    allowAutoTopicCreation: false,
  });
  let settle;
  const finished = new Promise((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  signal.addEventListener('abort', () => settle(signal.reason), { once: true });
  const advance = (partition, next) => {
    const state = remaining.get(partition);
    if (!state) return;
    if (next > state.next) state.next = next;
    if (state.next >= state.end) {
      remaining.delete(partition);
      if (remaining.size === 0) settle();
    }
    setProgress(describe());
  };
  // Emitted after every fetched batch, also one that held only markers or aborted records.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.topic === topic && payload.lastOffset != null) {
      advance(payload.partition, BigInt(payload.lastOffset) + 1n);
    }
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => settle(payload.error));

  try {
    setProgress(`joining a consumer group; ${describe()}`);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = ends.get(batch.partition);
        for (const message of batch.messages) {
          if (signal.aborted || !remaining.has(batch.partition)) return;
          if (end === undefined || BigInt(message.offset) >= end) return;
          try {
            await onRecord({
              key: message.key === null ? null : message.key.toString('utf8'),
              value: message.value,
              partition: batch.partition,
              offset: message.offset,
            });
          } catch (err) {
            settle(err);
            return;
          }
          records++;
        }
      },
    });
    await finished;
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  return { partitions: offsets.length, records };
}
