package dev.agentledger.schemas;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A Kafka serde for one generated record type, framed in the Confluent wire format. */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
  private final SchemaCatalog catalog;
  private final String subject;
  private final Schema readerSchema;

  public AvroSerde(SchemaCatalog catalog, String subject, Schema readerSchema) {
    this.catalog = catalog;
    this.subject = subject;
    this.readerSchema = readerSchema;
  }

  public static AvroSerde<dev.agentledger.schemas.avro.LedgerCommand> commands(
      SchemaCatalog catalog) {
    return new AvroSerde<>(
        catalog,
        SchemaCatalog.COMMANDS_SUBJECT,
        dev.agentledger.schemas.avro.LedgerCommand.getClassSchema());
  }

  public static AvroSerde<dev.agentledger.schemas.avro.EvidenceEvent> evidence(
      SchemaCatalog catalog) {
    return new AvroSerde<>(
        catalog,
        SchemaCatalog.EVIDENCE_SUBJECT,
        dev.agentledger.schemas.avro.EvidenceEvent.getClassSchema());
  }

  public static AvroSerde<dev.agentledger.schemas.avro.LedgerCheckpoint> checkpoints(
      SchemaCatalog catalog) {
    return new AvroSerde<>(
        catalog,
        SchemaCatalog.CHECKPOINTS_SUBJECT,
        dev.agentledger.schemas.avro.LedgerCheckpoint.getClassSchema());
  }

  public byte[] toBytes(T value) {
    SchemaCatalog.Entry writer = catalog.latest(subject);
    return WireFormat.write(writer.id(), writer.schema(), value);
  }

  public T fromBytes(byte[] data) {
    try {
      int id = WireFormat.schemaId(data);
      Schema writer =
          catalog
              .byId(id)
              .orElseThrow(() -> new SerializationException("unknown schema id " + id))
              .schema();
      return WireFormat.read(data, writer, readerSchema);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      throw new SerializationException(e.getMessage(), e);
    }
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : toBytes(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, data) -> data == null ? null : fromBytes(data);
  }
}
