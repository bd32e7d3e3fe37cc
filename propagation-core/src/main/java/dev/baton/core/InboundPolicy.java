package dev.baton.core;

/**
 * What a consumer or server does with the trace context a message or call brings in.
 *
 * @since 0.1.0
 */
public enum InboundPolicy {
  /** The default: the new span is a child of the incoming context, in the same trace. */
  CONTINUE,
  /**
   * The new span starts a new trace and keeps the incoming context as a span link. For producers
   * you do not trust to choose your trace ids or sampling.
   */
  LINK,
  /** The incoming trace context is not used at all (baggage included). */
  IGNORE
}
