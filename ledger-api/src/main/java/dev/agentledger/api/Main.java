package dev.agentledger.api;

/** Starts agent-ledger with settings from the environment; stops cleanly on SIGTERM/Ctrl-C. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    LedgerConfig config = LedgerConfig.fromEnv();
    LedgerService service = LedgerService.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(service::close, "shutdown"));
    service
        .demoOperatorKey()
        .ifPresent(
            key ->
                System.out.printf(
                    "%nagent-ledger is up on http://localhost:%d%n"
                        + "tenant '%s' operator key (also in %s):%n  %s%n"
                        + "try:  curl -X POST localhost:%d/v1/agent/bootstrap"
                        + " -H \"Authorization: Bearer %s\""
                        + " -d '{\"agent_id\":\"lead-01\",\"budget_daily_usd\":5.0}'%n",
                    service.httpPort(),
                    config.demoTenant(),
                    config.dataDir().resolve(config.demoTenant() + "-operator.key"),
                    key,
                    service.httpPort(),
                    key));
  }
}
