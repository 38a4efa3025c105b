package dev.agentledger.api.kafka;

/**
 * Keeps the in-process broker's own INFO chatter out of the test output (slf4j-simple reads
 * per-logger levels from system properties when a logger is first created).
 */
final class KafkaTestLogging {

  private KafkaTestLogging() {}

  static void quietBroker() {
    for (String name : new String[] {"kafka", "org.apache.kafka", "state.change.logger"}) {
      System.setProperty("org.slf4j.simpleLogger.log." + name, "warn");
    }
  }
}
