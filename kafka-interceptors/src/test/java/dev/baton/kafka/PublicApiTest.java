package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.PublicTypes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The module's public types, each one a decision: one entry type (with its builder and callback
 * interfaces) plus what users must name; everything else is package-private. A type added here
 * fails this test until it is added to the list and to the README's "Public types" section.
 */
class PublicApiTest {

  @Test
  void publicTypes() {
    assertThat(PublicTypes.of(KafkaTracing.class))
        .containsExactly(
            "dev.baton.kafka.KafkaTracing",
            "dev.baton.kafka.KafkaTracing.Builder",
            "dev.baton.kafka.KafkaTracing.RecordProcessor",
            "dev.baton.kafka.TracingConsumerInterceptor",
            "dev.baton.kafka.TracingProducerInterceptor");
    assertThat(PublicTypes.notListedIn(Path.of("README.md"), KafkaTracing.class)).isEmpty();
  }

  /**
   * The static entries of {@code KafkaTracing}, each one a decision too: {@code headersCarrier}
   * is there so that the Spring module reads Kafka headers with this module's carrier instead of
   * a copy of it (see the README's "Public types").
   */
  @Test
  void staticEntries() {
    assertThat(PublicTypes.staticMethods(KafkaTracing.class))
        .containsExactly("builder", "builder", "create", "fromConfig", "headersCarrier");
    assertThat(KafkaTracing.headersCarrier()).isSameAs(KafkaHeadersCarrier.INSTANCE);
  }
}
