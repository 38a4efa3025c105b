package dev.agentledger.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class ForwarderTest {
  @Test
  void charactersAUriMayNotHoldAreEscapedAndValidOnesPassUnchanged() {
    assertThat(Forwarder.escaped("/v1/agent/status?a=x|y&b={z}&c=\"q\"&d=%zz&e=%41"))
        .isEqualTo("/v1/agent/status?a=x%7Cy&b=%7Bz%7D&c=%22q%22&d=%25zz&e=%41");
    assertThat(Forwarder.escaped("/v1/reservations?agent=bot-1&limit=5"))
        .isEqualTo("/v1/reservations?agent=bot-1&limit=5");
    assertThat(Forwarder.escaped("/v1/x?n=é")).isEqualTo("/v1/x?n=%C3%A9");
    // whatever Jetty accepted, the forwarded target is a valid URI
    URI.create("http://h:1" + Forwarder.escaped("/v1/x?a=|{}\"<>\\^`% %"));
  }

  @Test
  void theTenantInAPathIsReadDecodedAsItsHandlerReadsIt() {
    assertThat(TenantHandlers.tenantInPath("/v1/tenants/ac%6De/ca.pem")).contains("acme");
    assertThat(TenantHandlers.tenantInPath("/v1/tenants/a+b/crl")).contains("a+b");
    assertThat(TenantHandlers.tenantInPath("/v1/tenants/%zz/crl")).isEmpty();
    assertThat(TenantHandlers.tenantInPath("/v1/agent/status")).isEmpty();
  }
}
