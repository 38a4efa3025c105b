package dev.agentledger.evidence.checkpoint;

/** A checkpoint that must not be trusted, with the reason. */
public final class CheckpointException extends Exception {
  private static final long serialVersionUID = 1L;

  private final CheckpointFailureCode code;

  public CheckpointException(CheckpointFailureCode code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  public CheckpointFailureCode code() {
    return code;
  }
}
