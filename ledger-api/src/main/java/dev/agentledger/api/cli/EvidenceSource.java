package dev.agentledger.api.cli;

import dev.agentledger.api.kafka.Topics;
import dev.agentledger.evidence.EvidenceJson;
import dev.agentledger.evidence.EvidenceRecord;
import dev.agentledger.schemas.AvroSerde;
import dev.agentledger.schemas.SchemaCatalog;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Where the verifier reads evidence from: an exported JSON-lines file or the topic itself. Events
 * come in batches (so the verifier can check their signatures in parallel), in stream order, with
 * 0-based positions counted across batches.
 */
interface EvidenceSource {
  /** Lines of a file per batch; a topic's batches are what one poll returns. */
  int FILE_BATCH = 4096;

  /** Feeds every event, in order, until the end (or, following, until {@code stop}). */
  void forEach(Consumer<List<EvidenceRecord>> sink, BooleanSupplier stop) throws IOException;

  /** A JSON-lines export: no record keys, so the key check does not apply. */
  static EvidenceSource file(Path jsonl) {
    return (sink, stop) -> {
      long position = 0;
      List<EvidenceRecord> batch = new ArrayList<>();
      try (BufferedReader in = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
        for (String line = in.readLine();
            line != null && !stop.getAsBoolean();
            line = in.readLine()) {
          if (!line.isBlank()) {
            batch.add(fromLine(line, position++));
          }
          if (batch.size() == FILE_BATCH) {
            sink.accept(List.copyOf(batch));
            batch.clear();
          }
        }
      } catch (CharacterCodingException notUtf8) {
        // nothing after it can be read as lines with certainty: reported, and the read ends
        batch.add(EvidenceRecord.unreadable(position, null, "the file is not UTF-8 from here"));
      }
      if (!batch.isEmpty() && !stop.getAsBoolean()) {
        sink.accept(batch);
      }
    };
  }

  /** A line of an export; one that is not an event's JSON is reported, not thrown. */
  private static EvidenceRecord fromLine(String line, long position) {
    try {
      return EvidenceRecord.unkeyed(EvidenceJson.fromJson(line), position);
    } catch (RuntimeException notAnEvent) {
      return EvidenceRecord.unreadable(position, null, "not an event: " + notAnEvent.getMessage());
    }
  }

  /** The checkpoint notes on the checkpoints topic, from the start to its current end. */
  static List<String> checkpointNotes(String bootstrap, String topic, SchemaCatalog catalog) {
    List<String> notes = new ArrayList<>();
    try (KafkaConsumer<String, dev.agentledger.schemas.avro.LedgerCheckpoint> consumer =
        new KafkaConsumer<>(
            committedReader(bootstrap, 500),
            new StringDeserializer(),
            AvroSerde.checkpoints(catalog).deserializer())) {
      Map<TopicPartition, Long> end = fromStart(consumer, topic);
      while (end.keySet().stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null) { // a tombstone carries no note
            notes.add(r.value().getNote());
          }
        }
      }
    }
    return notes;
  }

  /**
   * Reads committed events from the start, with their record keys; stops at the end offsets unless
   * following.
   */
  static EvidenceSource topic(
      String bootstrap, String topic, SchemaCatalog catalog, boolean follow) {
    Deserializer<EvidenceEvent> events = AvroSerde.evidence(catalog).deserializer();
    return (sink, stop) -> {
      // Values are decoded here, record by record: a record that is not an event is reported
      // at its position instead of stopping the consumer there for good.
      try (KafkaConsumer<String, byte[]> consumer =
          new KafkaConsumer<>(
              committedReader(bootstrap, 5_000),
              new StringDeserializer(),
              new ByteArrayDeserializer())) {
        Map<TopicPartition, Long> end = fromStart(consumer, topic);
        Set<TopicPartition> parts = end.keySet();
        long position = 0;
        while (!stop.getAsBoolean()
            && (follow || parts.stream().anyMatch(p -> consumer.position(p) < end.get(p)))) {
          List<EvidenceRecord> batch = new ArrayList<>();
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            batch.add(decoded(events, r, position++));
          }
          if (!batch.isEmpty()) {
            sink.accept(batch);
          }
        }
      }
    };
  }

  private static EvidenceRecord decoded(
      Deserializer<EvidenceEvent> events, ConsumerRecord<String, byte[]> r, long position) {
    if (r.value() == null) {
      return EvidenceRecord.unreadable(position, r.key(), "a record without a value");
    }
    try {
      return EvidenceRecord.keyed(events.deserialize(r.topic(), r.value()), position, r.key());
    } catch (RuntimeException notAnEvent) {
      return EvidenceRecord.unreadable(
          position, r.key(), "not an evidence event: " + notAnEvent.getMessage());
    }
  }

  /** A consumer that sees committed records only. */
  private static Map<String, Object> committedReader(String bootstrap, int maxPollRecords) {
    return Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        "read_committed",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
        maxPollRecords);
  }

  /** Assigns every partition of the topic from its start; returns their current end offsets. */
  private static Map<TopicPartition, Long> fromStart(
      KafkaConsumer<String, ?> consumer, String topic) {
    List<TopicPartition> parts = Topics.partitionsOf(consumer, topic);
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    return consumer.endOffsets(parts);
  }
}
