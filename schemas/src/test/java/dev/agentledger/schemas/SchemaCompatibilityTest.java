package dev.agentledger.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.schemas.avro.LedgerCommand;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * New schema versions must read data written with older ones. The first published command schema
 * had no request fingerprint; records framed with it must still decode with today's reader.
 */
class SchemaCompatibilityTest {
  private static final Schema COMMAND_V0 =
      new Schema.Parser()
          .parse(
              """
              {"type":"record","name":"LedgerCommand","namespace":"dev.agentledger.schemas.avro",
               "fields":[
                 {"name":"command_id","type":"string"},
                 {"name":"tenant","type":"string"},
                 {"name":"actor","type":"string"},
                 {"name":"issued_at_ms","type":{"type":"long","logicalType":"timestamp-millis"}},
                 {"name":"type","type":"string"},
                 {"name":"body","type":"string"},
                 {"name":"idempotency_key","type":["null","string"],"default":null}]}
              """);

  @Test
  void everyCurrentSchemaReadsWhatItsPredecessorWrote() {
    assertThat(
            SchemaCompatibility.checkReaderWriterCompatibility(
                    LedgerCommand.getClassSchema(), COMMAND_V0)
                .getType())
        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
  }

  @Test
  void aCommandFramedWithTheOldSchemaDecodesWithTheNewReader() {
    GenericRecord old = new GenericData.Record(COMMAND_V0);
    old.put("command_id", "c-0");
    old.put("tenant", "demo");
    old.put("actor", "operator:k1");
    old.put("issued_at_ms", 1_700_000_000_000L);
    old.put("type", "BootstrapAgent");
    old.put("body", "{}");
    old.put("idempotency_key", "key-0");
    byte[] framed = WireFormat.write(9, COMMAND_V0, asSpecific(old));

    LedgerCommand read = WireFormat.read(framed, COMMAND_V0, LedgerCommand.getClassSchema());

    assertThat(read.getCommandId()).isEqualTo("c-0");
    assertThat(read.getIssuedAtMs()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
    assertThat(read.getIdempotencyKey()).isEqualTo("key-0");
    assertThat(read.getRequestFingerprint()).isNull();
  }

  /** WireFormat writes specific records; a generic one is written through the same interface. */
  private static SpecificRecord asSpecific(GenericRecord record) {
    return new SpecificRecord() {
      @Override
      public void put(int i, Object v) {
        record.put(i, v);
      }

      @Override
      public Object get(int i) {
        return record.get(i);
      }

      @Override
      public Schema getSchema() {
        return record.getSchema();
      }
    };
  }
}
