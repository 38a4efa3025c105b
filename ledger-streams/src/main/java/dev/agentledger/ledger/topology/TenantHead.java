package dev.agentledger.ledger.topology;

import dev.agentledger.evidence.ChainHead;
import java.nio.ByteBuffer;

/**
 * Where a tenant's evidence chain stands, and the time of its last event: the ledger's clock never
 * runs backwards for a tenant even if the wall clock does.
 */
record TenantHead(ChainHead chain, long lastTimeMs) {
  static TenantHead genesis() {
    return new TenantHead(ChainHead.genesis(), 0L);
  }

  byte[] toBytes() {
    byte[] chainBytes = chain.toBytes();
    return ByteBuffer.allocate(8 + chainBytes.length).putLong(lastTimeMs).put(chainBytes).array();
  }

  static TenantHead fromBytes(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    long time = buf.getLong();
    byte[] chainBytes = new byte[buf.remaining()];
    buf.get(chainBytes);
    return new TenantHead(ChainHead.fromBytes(chainBytes), time);
  }
}
