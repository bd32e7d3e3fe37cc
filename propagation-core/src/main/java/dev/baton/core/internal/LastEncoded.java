package dev.baton.core.internal;

/**
 * An immutable object and the header written for it, kept by a propagator so that the next
 * message sent with the very same object (a request's baggage, a parent's trace state: every
 * message of one request carries the same ones) reuses the header instead of writing it again.
 * Found by identity. Final fields, so a racy read sees a pair whole, or an older pair, which
 * only means writing the header again.
 *
 * <p>Part of Baton's internal machinery: no compatibility promise.
 */
final class LastEncoded<K> {

  private final K source;
  private final String header;

  LastEncoded(K source, String header) {
    this.source = source;
    this.header = header;
  }

  /** Whether {@code pair} holds the header of this very {@code source}. */
  static boolean holds(LastEncoded<?> pair, Object source) {
    return pair != null && pair.source == source;
  }

  /** The header; {@code null} when there was nothing to write. */
  String header() {
    return header;
  }
}
