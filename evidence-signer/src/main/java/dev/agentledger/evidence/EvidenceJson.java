package dev.agentledger.evidence;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON form of an evidence event: one object per line, fields in schema order, byte fields as
 * lowercase hex, {@code payload} as the exact signed string. Used by the JSON mirror topic ({@code
 * ledger.evidence.json}), by exports and by the verifiers' file input.
 */
public final class EvidenceJson {
  // Two members of one name would leave which one was signed to the reader: refused.
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private EvidenceJson() {}

  public static String toJson(EvidenceEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tenant", e.getTenant());
    m.put("seq", e.getSeq());
    m.put("event_id", e.getEventId());
    m.put("command_id", e.getCommandId());
    m.put("cause_index", e.getCauseIndex());
    m.put("cause_count", e.getCauseCount());
    m.put("actor", e.getActor());
    m.put("time_ms", e.getTimeMs().toEpochMilli());
    m.put("type", e.getType());
    m.put("payload", e.getPayload());
    m.put("prev_hash", Bytes.hex(Bytes.of(e.getPrevHash())));
    m.put("hash", Bytes.hex(Bytes.of(e.getHash())));
    m.put("key_id", e.getKeyId());
    m.put("signature", Bytes.hex(Bytes.of(e.getSignature())));
    try {
      return MAPPER.writeValueAsString(m);
    } catch (JsonProcessingException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  /**
   * Parses one line strictly, each field of its exported type (numbers integral and in range,
   * strings strings, hex lowercase): a line is read one way only, as the JavaScript verifier reads
   * it. Anything else is an IllegalArgumentException.
   */
  public static EvidenceEvent fromJson(String line) {
    try {
      JsonNode n = MAPPER.readTree(line);
      return EvidenceEvent.newBuilder()
          .setTenant(text(n, "tenant"))
          .setSeq(int64(n, "seq"))
          .setEventId(text(n, "event_id"))
          .setCommandId(text(n, "command_id"))
          .setCauseIndex(int32(n, "cause_index"))
          .setCauseCount(int32(n, "cause_count"))
          .setActor(text(n, "actor"))
          .setTimeMs(Instant.ofEpochMilli(int64(n, "time_ms")))
          .setType(text(n, "type"))
          .setPayload(text(n, "payload"))
          .setPrevHash(hexBytes(n, "prev_hash"))
          .setHash(hexBytes(n, "hash"))
          .setKeyId(text(n, "key_id"))
          .setSignature(hexBytes(n, "signature"))
          .build();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not an evidence JSON line: " + e.getOriginalMessage(), e);
    }
  }

  public static String toJsonl(List<EvidenceEvent> events) {
    StringBuilder out = new StringBuilder();
    events.forEach(e -> out.append(toJson(e)).append('\n'));
    return out.toString();
  }

  public static List<EvidenceEvent> fromJsonl(String jsonl) {
    List<EvidenceEvent> events = new ArrayList<>();
    jsonl.lines().filter(l -> !l.isBlank()).forEach(l -> events.add(fromJson(l)));
    return events;
  }

  public static List<EvidenceEvent> read(BufferedReader reader) {
    List<EvidenceEvent> events = new ArrayList<>();
    try {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isBlank()) {
          events.add(fromJson(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return events;
  }

  private static JsonNode field(JsonNode n, String name) {
    JsonNode v = n.get(name);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("evidence JSON lacks " + name);
    }
    return v;
  }

  private static String text(JsonNode n, String name) {
    JsonNode v = field(n, name);
    if (!v.isTextual()) {
      throw new IllegalArgumentException("evidence JSON " + name + " is not a string");
    }
    return v.asText();
  }

  private static long int64(JsonNode n, String name) {
    JsonNode v = field(n, name);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IllegalArgumentException("evidence JSON " + name + " is not a 64-bit integer");
    }
    return v.asLong();
  }

  private static int int32(JsonNode n, String name) {
    JsonNode v = field(n, name);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IllegalArgumentException("evidence JSON " + name + " is not a 32-bit integer");
    }
    return v.asInt();
  }

  private static ByteBuffer hexBytes(JsonNode n, String name) {
    String hex = text(n, name);
    if (!hex.equals(hex.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("evidence JSON " + name + " is not lowercase hex");
    }
    return ByteBuffer.wrap(Bytes.HEX.parseHex(hex));
  }
}
