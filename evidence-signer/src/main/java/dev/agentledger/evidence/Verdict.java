package dev.agentledger.evidence;

import java.util.Optional;

/**
 * Summary of a verification run.
 *
 * @param tenants how many tenants had at least one authentic event
 * @param failureCount failing events; after the first, counts may include knock-on failures
 * @param firstFailure the earliest failing event, which is the one to investigate
 */
public record Verdict(
    boolean ok,
    long eventsChecked,
    int tenants,
    long failureCount,
    Optional<Failure> firstFailure) {}
