package dev.agentledger.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * The Confluent wire format, written with plain Avro: magic byte 0, the writer schema's registry id
 * as 4 bytes big-endian, then the Avro binary encoding of the record.
 */
public final class WireFormat {
  public static final byte MAGIC = 0;
  private static final int HEADER = 5;

  private WireFormat() {}

  public static byte[] write(int schemaId, Schema schema, SpecificRecord record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(MAGIC);
    out.writeBytes(ByteBuffer.allocate(4).putInt(schemaId).array());
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      new SpecificDatumWriter<SpecificRecord>(schema).write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The schema id a framed message names; fails on anything not in the wire format. */
  public static int schemaId(byte[] framed) {
    if (framed == null || framed.length < HEADER || framed[0] != MAGIC) {
      throw new IllegalArgumentException("not Confluent wire format (magic byte 0 + schema id)");
    }
    return ByteBuffer.wrap(framed, 1, 4).getInt();
  }

  /** Decodes with the writer's schema resolved against the reader's (schema evolution). */
  public static <T extends SpecificRecord> T read(byte[] framed, Schema writer, Schema reader) {
    schemaId(framed);
    BinaryDecoder decoder =
        DecoderFactory.get().binaryDecoder(framed, HEADER, framed.length - HEADER, null);
    try {
      return new SpecificDatumReader<T>(writer, reader).read(null, decoder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
