package dev.baton.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.impl.LongStringHelper;
import dev.baton.testing.PublicTypes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
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

  /**
   * The static entries of {@code AmqpTracing}, each one a decision too: {@code headersCarrier} is
   * there so that the Spring module reads and writes AMQP headers with this module's carrier
   * instead of a copy of it (see the README's "Public types").
   */
  @Test
  void staticEntries() {
    assertThat(PublicTypes.staticMethods(AmqpTracing.class))
        .containsExactly("builder", "builder", "create", "fromConfig", "headersCarrier");
    assertThat(AmqpTracing.headersCarrier()).isSameAs(AmqpHeaders.INSTANCE);
  }

  @Test
  void theHeadersCarrierReadsLongStringsAsTheirBytesAndWritesStrings() {
    Map<String, Object> headers = new HashMap<>();
    headers.put("traceparent", LongStringHelper.asLongString("00-ab"));
    Object field = AmqpTracing.headersCarrier().fields(headers, "traceparent").iterator().next();
    assertThat((byte[]) AmqpTracing.headersCarrier().valueOf(field))
        .isEqualTo("00-ab".getBytes(StandardCharsets.US_ASCII));
    AmqpTracing.headersCarrier().replace(headers, "traceparent", "00-cd");
    assertThat(headers).containsExactly(Map.entry("traceparent", "00-cd"));
  }
}
