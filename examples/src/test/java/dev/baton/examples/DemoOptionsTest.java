package dev.baton.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {

  @Test
  void optionsMayComeAsOneArgumentAsMavenPassesThem() throws Exception {
    DemoOptions o = DemoOptions.parse("--fail   --details", "--html=out/pages", "--kafka", "k:9092");
    assertThat(o.fail).isTrue();
    assertThat(o.details).isTrue();
    assertThat(o.htmlDir).isEqualTo(Path.of("out/pages"));
    assertThat(o.kafka).isEqualTo("k:9092");
    assertThat(o.topic).isEqualTo("orders");
    assertThat(o.queue).isEqualTo("notifications");
  }

  @Test
  void noOptionsIsTheMainPath() throws Exception {
    DemoOptions o = DemoOptions.parse("");
    assertThat(o.fail).isFalse();
    assertThat(o.kafka).isNull();
    assertThat(o.htmlDir).isEqualTo(Path.of("target", "checkout-demo"));
  }

  @Test
  void badOptionsAreRefusedWithTheUsage() {
    assertThatThrownBy(() -> DemoOptions.parse("--fial"))
        .isInstanceOf(DemoFailure.class).hasMessageContaining("unknown option --fial")
        .hasMessageContaining("--fail ");
    assertThatThrownBy(() -> DemoOptions.parse("--kafka"))
        .isInstanceOf(DemoFailure.class).hasMessageStartingWith("--kafka needs a value");
    assertThatThrownBy(() -> DemoOptions.parse("--topic", "--fail"))
        .isInstanceOf(DemoFailure.class).hasMessageStartingWith("--topic needs a value");
  }

  @Test
  void theDemoExitsWith2OnABadOptionAndStartsNothing() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code = CheckoutDemo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), "--bogus");
    assertThat(code).isEqualTo(2);
    assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith("error: unknown option --bogus");
  }

  @Test
  void theStandaloneKafkaBrokerSaysSoWhenItsPortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      List<AutoCloseable> started = new ArrayList<>();
      int code = StandaloneBrokers.start(new PrintStream(bytes, true, StandardCharsets.UTF_8),
          started, "--kafka-port " + taken.getLocalPort());
      assertThat(code).isEqualTo(1);
      assertThat(started).as("nothing left running").isEmpty();
      assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("error: the Kafka broker did not start: port "
          + taken.getLocalPort() + " on 127.0.0.1 is already in use");
    }
  }

  @Test
  void theStandaloneBrokersRefuseABadPort() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code = StandaloneBrokers.start(new PrintStream(bytes, true, StandardCharsets.UTF_8),
        new ArrayList<>(), "--kafka-port", "99999");
    assertThat(code).isEqualTo(2);
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("--kafka-port needs a port from 1 to 65535");
  }

  @Test
  void aBindFailureDeepInTheChainIsTheReasonGiven() {
    Exception failure = new RuntimeException("Received a fatal error",
        new RuntimeException("Unable to start acceptor",
            new IllegalStateException("Socket server failed to bind to 127.0.0.1:9092: Address already in use.")));
    assertThat(DemoBrokers.reason(failure))
        .isEqualTo("Socket server failed to bind to 127.0.0.1:9092: Address already in use.");
    assertThat(DemoBrokers.redact("amqp://guest:secret@host:5672/vh")).isEqualTo("amqp://guest@host:5672/vh");
  }
}
