package dev.agentledger.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentledger.schemas.avro.LedgerCommand;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class WireFormatTest {
  private final AvroSerde<LedgerCommand> serde = AvroSerde.commands(SchemaCatalog.builtIn());

  private static LedgerCommand command() {
    return LedgerCommand.newBuilder()
        .setCommandId("c-1")
        .setTenant("demo")
        .setActor("operator:k1")
        .setIssuedAtMs(java.time.Instant.ofEpochMilli(1_700_000_000_000L))
        .setType("BootstrapAgent")
        .setBody("{\"agent_id\":\"lead\"}")
        .build();
  }

  @Test
  void framesWithMagicByteAndSchemaIdThenRoundTrips() {
    byte[] bytes = serde.toBytes(command());
    assertThat(bytes[0]).isEqualTo((byte) 0);
    assertThat(WireFormat.schemaId(bytes)).isEqualTo(1);
    assertThat(serde.fromBytes(bytes)).isEqualTo(command());
  }

  @Test
  void refusesUnframedAndUnknownSchemaIds() {
    assertThatThrownBy(() -> serde.fromBytes(new byte[] {1, 0, 0, 0, 1, 2}))
        .isInstanceOf(SerializationException.class);
    byte[] bytes = serde.toBytes(command());
    bytes[4] = 99;
    assertThatThrownBy(() -> serde.fromBytes(bytes)).isInstanceOf(SerializationException.class);
  }
}
