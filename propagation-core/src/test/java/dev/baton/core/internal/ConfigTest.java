package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.core.BatonTracing;
import dev.baton.core.InboundPolicy;
import io.opentelemetry.api.OpenTelemetry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigTest {

  @Test
  void defaults() {
    BatonTracing b = ConfigReader.of(Map.of(), Set.of()).batonTracing();
    assertThat(b.inboundPolicy()).isEqualTo(InboundPolicy.CONTINUE);
    assertThat(b.headerMaxLength()).isEqualTo(8192);
  }

  @Test
  void parsesEveryCoreKeyFromStrings() {
    OpenTelemetry otel = OpenTelemetry.noop();
    Map<String, Object> m = new HashMap<>();
    m.put("baton.inbound.policy", " Link ");
    m.put("baton.baggage.inbound.allow", "tenant.*, region");
    m.put("baton.baggage.outbound.allow", "");
    m.put("baton.header.max.length", "1024");
    m.put("baton.opentelemetry", otel);
    m.put("bootstrap.servers", "127.0.0.1:9092"); // not ours: ignored
    BatonTracing b = ConfigReader.of(m, Set.of()).batonTracing();
    assertThat(b.inboundPolicy()).isEqualTo(InboundPolicy.LINK);
    assertThat(b.headerMaxLength()).isEqualTo(1024);
    assertThat(b.openTelemetry()).isSameAs(otel);
    assertThat(b.toString())
        .containsAnyOf("inboundBaggage=region,tenant.*", "inboundBaggage=tenant.*,region")
        .contains("outboundBaggage=,");
  }

  @Test
  void typedValuesAreAccepted() {
    ConfigReader r =
        ConfigReader.of(
            Map.of(
                "baton.kafka.capture.message.key", true,
                "baton.amqp.publish.max.pending.confirms", 5,
                "baton.grpc.metadata.capture", List.of("a", "b"),
                "baton.inbound.policy", InboundPolicy.LINK),
            Set.of());
    assertThat(r.bool("baton.kafka.capture.message.key", false)).isTrue();
    assertThat(r.integer("baton.amqp.publish.max.pending.confirms", 10_000, 1, 1_000_000))
        .isEqualTo(5);
    assertThat(r.list("baton.grpc.metadata.capture", List.of())).containsExactly("a", "b");
    assertThat(r.enumValue("baton.inbound.policy", InboundPolicy.class, InboundPolicy.CONTINUE))
        .isEqualTo(InboundPolicy.LINK);
  }

  @Test
  void unknownBatonKeyFailsNamingIt() {
    assertThatThrownBy(() -> ConfigReader.of(Map.of("baton.inbound.polcy", "link"), Set.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'baton.inbound.polcy'")
        .hasMessageContaining("baton.inbound.policy");
  }

  @Test
  void badValuesFailNamingKeyAndExpectation() {
    assertThatThrownBy(
            () -> ConfigReader.of(Map.of("baton.inbound.policy", "maybe"), Set.of()).batonTracing())
        .hasMessageContaining("baton.inbound.policy")
        .hasMessageContaining("[continue, link, ignore]");
    assertThatThrownBy(
            () -> ConfigReader.of(Map.of("baton.header.max.length", "10"), Set.of()).batonTracing())
        .hasMessageContaining("baton.header.max.length")
        .hasMessageContaining("from 512 to 1048576");
    assertThatThrownBy(
            () -> ConfigReader.of(Map.of("baton.header.max.length", "lots"), Set.of()).batonTracing())
        .hasMessageContaining("'lots'");
    assertThatThrownBy(
            () -> ConfigReader.of(Map.of("baton.opentelemetry", "yes"), Set.of()).batonTracing())
        .hasMessageContaining("baton.opentelemetry")
        .hasMessageContaining("io.opentelemetry.api.OpenTelemetry");
    assertThatThrownBy(() -> ConfigReader.of(Map.of("baton.amqp.settle.spans", "yes"), Set.of()))
        .hasMessageContaining("'baton.amqp.settle.spans'")
        .hasMessageContaining("true or false");
  }

  @Test
  void configRoundTripsThroughTheMapForm() {
    OpenTelemetry otel = OpenTelemetry.noop();
    BatonTracing original =
        BatonTracing.builder(otel)
            .inboundPolicy(InboundPolicy.IGNORE)
            .inboundBaggage(List.of("tenant.*", "region"))
            .outboundBaggage(List.of())
            .headerMaxLength(2048)
            .build();
    BatonTracing copy = ConfigReader.of(original.config(), Set.of()).batonTracing();
    assertThat(copy.openTelemetry()).isSameAs(otel);
    assertThat(copy.inboundPolicy()).isEqualTo(InboundPolicy.IGNORE);
    assertThat(copy.headerMaxLength()).isEqualTo(2048);
    assertThat(copy.toString()).isEqualTo(original.toString());
  }

  @Test
  void builderValidatesAtConfigurationTime() {
    assertThatThrownBy(() -> BatonTracing.builder(null)).hasMessage("openTelemetry == null");
    assertThatThrownBy(() -> BatonTracing.builder(OpenTelemetry.noop()).inboundPolicy(null))
        .hasMessage("policy == null");
    assertThatThrownBy(() -> BatonTracing.builder(OpenTelemetry.noop()).headerMaxLength(100))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
