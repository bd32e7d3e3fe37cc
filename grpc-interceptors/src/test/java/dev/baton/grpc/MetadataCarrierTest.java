package dev.baton.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code Metadata} carrier alone. */
class MetadataCarrierTest {

  private final MetadataCarrier carrier =
      new MetadataCarrier(List.of("traceparent", "tracestate", "baggage"));

  @Test
  void keysLeaveOutBinaryKeys() {
    Metadata m = new Metadata();
    m.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), "v");
    m.put(Metadata.Key.of("x-id-bin", Metadata.BINARY_BYTE_MARSHALLER), new byte[] {1, 2});
    assertThat(carrier.keys(m)).containsExactly("traceparent");
  }

  @Test
  @SuppressWarnings("unchecked")
  void binaryFieldsReadAsAbsentAndAreNeverWritten() {
    Metadata m = new Metadata();
    m.put(
        Metadata.Key.of("traceparent-bin", Metadata.BINARY_BYTE_MARSHALLER),
        "x".getBytes(StandardCharsets.US_ASCII));
    assertThat((Iterable<Object>) carrier.fields(m, "traceparent-bin")).isEmpty();
    carrier.replace(m, "traceparent-bin", "y");
    assertThat(m.keys()).containsExactly("traceparent-bin");
  }

  @Test
  void replaceLeavesOneField() {
    Metadata m = new Metadata();
    Metadata.Key<String> tp = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
    m.put(tp, "a");
    m.put(tp, "b");
    carrier.replace(m, "traceparent", "c");
    assertThat(m.getAll(tp)).containsExactly("c");
    carrier.replace(m, "traceparent", null);
    assertThat(m.containsKey(tp)).isFalse();
  }

  @Test
  @SuppressWarnings("unchecked")
  void fieldsReturnsEveryValueInOrder() {
    Metadata m = new Metadata();
    Metadata.Key<String> ts = Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER);
    m.put(ts, "a=1");
    m.put(ts, "b=2");
    assertThat((Iterable<Object>) carrier.fields(m, "tracestate")).containsExactly("a=1", "b=2");
    assertThat((Iterable<Object>) carrier.fields(m, "baggage")).isEmpty();
  }

  @Test
  void keysAreBuiltOnceAndCached() {
    assertThat(carrier.key("traceparent")).isSameAs(carrier.key("traceparent"));
    assertThat(carrier.key("x-b3-traceid")).isSameAs(carrier.key("x-b3-traceid"));
    assertThat(carrier.key("bad name")).isNull();
    for (int i = 0; i < MetadataCarrier.MAX_CACHED * 2; i++) {
      assertThat(carrier.key("k" + i)).isNotNull();
    }
  }
}
