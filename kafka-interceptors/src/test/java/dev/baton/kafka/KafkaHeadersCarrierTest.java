package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The carrier's fast reads agree with what {@code Headers}' own API shows. */
class KafkaHeadersCarrierTest {

  final KafkaHeadersCarrier carrier = KafkaHeadersCarrier.INSTANCE;

  @Test
  void indexedNamesAreTheIteratorsNames() {
    Headers h = new RecordHeaders();
    h.add("a", new byte[] {1});
    h.add("Traceparent", null);
    h.add("a", new byte[] {2});
    assertThat(carrier.fieldCount(h)).isEqualTo(3);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < carrier.fieldCount(h); i++) {
      names.add(carrier.keyAt(h, i));
    }
    List<String> iterated = new ArrayList<>();
    carrier.keys(h).forEach(iterated::add);
    assertThat(names).isEqualTo(iterated).containsExactly("a", "Traceparent", "a");
    assertThat((byte[]) carrier.lastValue(h, "a")).containsExactly(2);
    assertThat(carrier.lastValue(h, "b")).isNull();
  }

  @Test
  void otherHeadersClassesAreIterated() {
    Headers wrapped = new RecordHeaders() {};
    assertThat(carrier.fieldCount(wrapped)).isEqualTo(-1);
  }

  @Test
  void bytesReplaceOrAdd() {
    Headers h = new RecordHeaders();
    h.add("traceparent", "old".getBytes(StandardCharsets.US_ASCII));
    carrier.replace(h, "traceparent", "new".getBytes(StandardCharsets.US_ASCII), false);
    Header only = h.lastHeader("traceparent");
    assertThat(h.headers("traceparent")).hasSize(1);
    assertThat(new String(only.value(), StandardCharsets.US_ASCII)).isEqualTo("new");
    carrier.replace(h, "tracestate", "a=1".getBytes(StandardCharsets.US_ASCII), true);
    assertThat(h.toArray()).hasSize(2);
  }
}
