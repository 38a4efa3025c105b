package dev.agentledger.ledger.domain;

/**
 * What happens when a call cost more than there is room for (a commit above its estimate, or a
 * post-only spend): the Cycles protocol's overage policies. No budget here has an overdraft limit,
 * so an overdraft is never allowed.
 */
public enum OveragePolicy {
  /** Refuse: the caller must reserve enough. */
  REJECT,
  /** Record it anyway (the money is gone) and trip the breaker; never refused. */
  ALLOW_IF_AVAILABLE,
  /**
   * Would go into debt up to the overdraft limit. No budget here has one, and the protocol says a
   * budget without one "behaves as ALLOW_IF_AVAILABLE": recorded, never refused.
   */
  ALLOW_WITH_OVERDRAFT
}
