package dev.baton.amqp;

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
    assertThat(PublicTypes.of(AmqpTracing.class))
        .containsExactly(
            "dev.baton.amqp.AmqpTracing",
            "dev.baton.amqp.AmqpTracing.Builder",
            "dev.baton.amqp.AmqpTracing.MessageHandler");
    assertThat(PublicTypes.notListedIn(Path.of("README.md"), AmqpTracing.class)).isEmpty();
  }
}
