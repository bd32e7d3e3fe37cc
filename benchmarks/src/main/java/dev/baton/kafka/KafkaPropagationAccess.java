package dev.baton.kafka;

import dev.baton.core.internal.Propagation;
import org.apache.kafka.common.header.Headers;

/**
 * Benchmarks only: the propagation over Kafka {@code Headers} that Baton's interceptors use
 * ({@code KafkaTracing} keeps it package-private). Lives in the benchmarks module, in Baton's
 * package, so the library exposes nothing for it.
 */
public final class KafkaPropagationAccess {

  private KafkaPropagationAccess() {}

  /** The {@code Propagation<Headers>} of {@code tracing}, exactly as its interceptors use it. */
  public static Propagation<Headers> of(KafkaTracing tracing) {
    return tracing.propagation();
  }
}
