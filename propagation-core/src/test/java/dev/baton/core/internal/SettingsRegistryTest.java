package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.OpenTelemetry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One {@code baton.*} map configures every transport; the registry is the one list of keys. */
class SettingsRegistryTest {

  // What each transport hands ConfigReader.of today (KafkaSettings.KEYS, AmqpTracing.KEYS, GrpcTracing).
  static final Set<String> KAFKA_KEYS =
      Set.of(
          "baton.kafka.producer.inflight.max",
          "baton.kafka.producer.span.end",
          "baton.kafka.consumer.receive.spans",
          "baton.kafka.capture.message.key");
  static final Set<String> AMQP_KEYS =
      Set.of(
          "baton.amqp.settle.spans",
          "baton.amqp.publish.end.on.confirm",
          "baton.amqp.publish.max.pending.confirms");
  static final Set<String> GRPC_KEYS =
      Set.of("baton.grpc.message.events", "baton.grpc.metadata.capture");

  static Map<String, Object> oneMapForEverything() {
    Map<String, Object> m = new HashMap<>();
    m.put("baton.opentelemetry", OpenTelemetry.noop());
    m.put("baton.inbound.policy", "link");
    m.put("baton.header.max.length", "4096");
    m.put("baton.kafka.producer.span.end", "send");
    m.put("baton.kafka.producer.inflight.max", "500");
    m.put("baton.amqp.settle.spans", "true");
    m.put("baton.amqp.publish.max.pending.confirms", 200);
    m.put("baton.grpc.message.events", true);
    m.put("baton.grpc.metadata.capture", "x-tenant");
    m.put("bootstrap.servers", "127.0.0.1:9092");
    return m;
  }

  @Test
  void oneMapCarryingEveryTransportsKeysIsAcceptedByEveryTransportsReader() {
    Map<String, Object> m = oneMapForEverything();
    for (Set<String> transport : List.of(KAFKA_KEYS, AMQP_KEYS, GRPC_KEYS, Set.<String>of())) {
      ConfigReader r = ConfigReader.of(m, transport);
      assertThat(r.batonTracing().headerMaxLength()).isEqualTo(4096);
    }
    ConfigReader amqp = ConfigReader.of(m, AMQP_KEYS);
    assertThat(amqp.bool("baton.amqp.settle.spans", false)).isTrue();
    assertThat(amqp.integer("baton.amqp.publish.max.pending.confirms", 10_000, 1, 1_000_000))
        .isEqualTo(200);
    ConfigReader grpc = ConfigReader.of(m, GRPC_KEYS);
    assertThat(grpc.list("baton.grpc.metadata.capture", List.of())).containsExactly("x-tenant");
  }

  @Test
  void anUnknownKeyIsRejectedByEveryReaderNamingItAndTheKnownOnes() {
    for (Set<String> transport : List.of(KAFKA_KEYS, AMQP_KEYS, GRPC_KEYS)) {
      Map<String, Object> m = oneMapForEverything();
      m.put("baton.kafka.producer.span.ends", "ack");
      assertThatThrownBy(() -> ConfigReader.of(m, transport))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Unknown Baton setting 'baton.kafka.producer.span.ends'")
          .hasMessageContaining("baton.kafka.producer.span.end,")
          .hasMessageContaining("baton.amqp.settle.spans")
          .hasMessageContaining("baton.grpc.metadata.capture")
          .hasMessageContaining("baton.inbound.policy");
    }
  }

  @Test
  void aBadValueIsRejectedWhicheverTransportReadsTheMap() {
    Map<String, Object> m = oneMapForEverything();
    m.put("baton.kafka.producer.inflight.max", "0");
    assertThatThrownBy(() -> ConfigReader.of(m, AMQP_KEYS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value for Baton setting 'baton.kafka.producer.inflight.max': '0' (expected an"
                + " integer from 1 to 1000000)");
    m.put("baton.kafka.producer.inflight.max", "10");
    m.put("baton.kafka.producer.span.end", "later");
    assertThatThrownBy(() -> ConfigReader.of(m, GRPC_KEYS)).hasMessageContaining("[ack, send]");
  }

  @Test
  void aTransportReadingAnUndeclaredKeyFailsLoudly() {
    assertThatThrownBy(() -> ConfigReader.of(Map.of(), Set.of("baton.kafka.new.thing")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'baton.kafka.new.thing'")
        .hasMessageContaining("dev.baton.core.internal.Settings");
  }

  @Test
  void readingAKeyOtherwiseThanDeclaredFailsAnAssertionInTests() {
    ConfigReader r = ConfigReader.of(Map.of(), Set.of());
    assertThatThrownBy(() -> r.integer("baton.kafka.producer.inflight.max", 10_000, 1, 5))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("declared as INTEGER default 10000 [1, 1000000]");
    assertThatThrownBy(() -> r.bool("baton.grpc.message.events", true))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> r.bool("baton.not.declared", true))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void everyKeyIsDeclaredOnceWithTheModuleItsNameSays() {
    for (Settings.Setting s : Settings.all()) {
      String module = s.key().split("\\.")[1];
      if (s.module() == Settings.Module.CORE) {
        assertThat(module).isNotIn("kafka", "amqp", "grpc");
      } else if (s.module() == Settings.Module.SPRING) {
        assertThat(s.key()).as("a Spring switch").endsWith(".enabled");
      } else {
        assertThat(module).as(s.key()).isEqualTo(s.module().name().toLowerCase());
      }
    }
    assertThat(Settings.keys()).doesNotHaveDuplicates().hasSize(Settings.all().size());
    Set<String> declared = new java.util.HashSet<>(Settings.keys());
    assertThat(declared).containsAll(KAFKA_KEYS).containsAll(AMQP_KEYS).containsAll(GRPC_KEYS);
  }
}
