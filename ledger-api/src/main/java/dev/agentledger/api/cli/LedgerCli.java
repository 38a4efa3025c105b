package dev.agentledger.api.cli;

import dev.agentledger.api.LedgerConfig;
import dev.agentledger.api.LedgerService;
import dev.agentledger.evidence.Keyring;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one runnable jar's commands: serve (default), verify, rotate-key. */
@Command(
    name = "ledger-api",
    mixinStandardHelpOptions = true,
    subcommands = {
      LedgerCli.Serve.class,
      VerifyCommand.class,
      LedgerCli.RotateKey.class,
      ClassArchiveTraining.class
    },
    description = "agent-ledger: the service and its tools.")
public final class LedgerCli implements Callable<Integer> {

  public static int run(String... args) {
    return run(new java.io.PrintWriter(System.out, true), args);
  }

  /** Runs with output to {@code out} (tests and tools capture it). */
  public static int run(java.io.PrintWriter out, String... args) {
    return new CommandLine(new LedgerCli())
        .setOut(out)
        .execute(args.length == 0 ? new String[] {"serve"} : args);
  }

  @Override
  public Integer call() {
    return new CommandLine(new Serve()).execute();
  }

  /** Starts the service with settings from the environment. */
  @Command(
      name = "serve",
      description = "Start the ledger (embedded Kafka unless LEDGER_BOOTSTRAP_SERVERS).")
  static final class Serve implements Callable<Integer> {
    @Override
    public Integer call() throws InterruptedException {
      LedgerConfig config = LedgerConfig.fromEnv();
      LedgerService service = LedgerService.start(config);
      Runtime.getRuntime().addShutdownHook(new Thread(service::close, "shutdown"));
      System.out.println(service.banner());
      Thread.currentThread().join();
      return 0;
    }
  }

  /** Makes a new signing key current; retired keys stay published. Restart to take effect. */
  @Command(name = "rotate-key", description = "Rotate the evidence/JWT signing key (then restart).")
  static final class RotateKey implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      Keyring ring = Keyring.rotate(LedgerConfig.fromEnv().keysDir());
      System.out.println("current signing key is now " + ring.current().keyId());
      System.out.println("restart the service to sign with it; older keys stay in the JWKS");
      return 0;
    }
  }
}
