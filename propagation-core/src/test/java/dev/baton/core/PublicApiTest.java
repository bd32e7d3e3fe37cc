package dev.baton.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.internal.Spans;
import dev.baton.testing.PublicTypes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The module's public types, each one a decision: a type added to either package fails here until
 * it is added to this list and to the README's "Public types" section. Application-facing types
 * live in {@code dev.baton.core}; what the transports share lives in {@code dev.baton.core.internal}
 * (public for them, without a compatibility promise).
 */
class PublicApiTest {

  @Test
  void applicationFacingTypes() {
    assertThat(PublicTypes.of(BatonTracing.class))
        .containsExactly(
            "dev.baton.core.BatonTracing",
            "dev.baton.core.BatonTracing.Builder",
            "dev.baton.core.InboundPolicy",
            "dev.baton.core.ProcessingScope");
    assertThat(PublicTypes.notListedIn(Path.of("README.md"), BatonTracing.class)).isEmpty();
  }

  @Test
  void internalTypesTransportsShare() {
    assertThat(PublicTypes.of(Spans.class))
        .containsExactly(
            "dev.baton.core.internal.AmqpConventions",
            "dev.baton.core.internal.BaggageFilter",
            "dev.baton.core.internal.BatonPropagator",
            "dev.baton.core.internal.ConfigReader",
            "dev.baton.core.internal.Faults",
            "dev.baton.core.internal.ForwardingHandler",
            "dev.baton.core.internal.GlobalTelemetry",
            "dev.baton.core.internal.HeaderCarrier",
            "dev.baton.core.internal.Inbound",
            "dev.baton.core.internal.Instruments",
            "dev.baton.core.internal.LowerHex",
            "dev.baton.core.internal.MapHeaderCarrier",
            "dev.baton.core.internal.MessagingMetrics",
            "dev.baton.core.internal.OperationTimer",
            "dev.baton.core.internal.PendingSpans",
            "dev.baton.core.internal.PendingSpans.Order",
            "dev.baton.core.internal.ProcessScope",
            "dev.baton.core.internal.ProcessScope.Body",
            "dev.baton.core.internal.Propagation",
            "dev.baton.core.internal.RpcMetrics",
            "dev.baton.core.internal.SemConv",
            "dev.baton.core.internal.Settings",
            "dev.baton.core.internal.SpanEnd",
            "dev.baton.core.internal.Spans");
    assertThat(PublicTypes.notListedIn(Path.of("README.md"), Spans.class)).isEmpty();
  }
}
