package dev.baton.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.baton.amqp.AmqpTracing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code basicPublish} on a channel wrapped by {@link AmqpTracing}, over a {@link FakeChannel}
 * (no broker, no socket), with the sending context current: a PRODUCER {@code publish orders}
 * span, the properties copied and the trace headers added as strings. Baton only: OpenTelemetry
 * has no RabbitMQ library instrumentation (only its Java agent instruments amqp-client).
 *
 * <p>{@code props=none} publishes with {@code null} properties; {@code props=app} with a content
 * type, persistent delivery mode, a message id and three application headers, the usual case.
 * {@code baseline} publishes on the bare fake channel.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AmqpPublishBenchmark {

  static final byte[] BODY = "{\"order\":4711,\"event\":\"shipped\"}".getBytes(StandardCharsets.UTF_8);
  static final AMQP.BasicProperties APP_PROPERTIES;

  static {
    Map<String, Object> headers = new LinkedHashMap<>();
    for (String[] h : Fixtures.APP_HEADERS) {
      headers.put(h[0], h[1]);
    }
    APP_PROPERTIES =
        new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .deliveryMode(2)
            .messageId("9d2c5a4e-6b1f-4c1e-9a55-0f3b9d2a7c11")
            .headers(headers)
            .build();
  }

  /** The bare fake channel. */
  @State(Scope.Thread)
  public static class Plain {
    FakeChannel fake;
    Channel channel;

    @Setup
    public void setUp() {
      fake = FakeChannel.create();
      channel = fake.channel();
    }
  }

  /** The fake channel wrapped by Baton. */
  @State(Scope.Thread)
  public static class Traced {
    @Param({"SDK", "PROPAGATION"})
    public Telemetry.Mode otel;

    Telemetry telemetry;
    FakeChannel fake;
    Channel channel;

    @Setup
    public void setUp() {
      telemetry = Telemetry.create(otel);
      fake = FakeChannel.create();
      channel = AmqpTracing.create(telemetry.openTelemetry()).wrap(fake.channel());
    }

    @TearDown
    public void tearDown() {
      telemetry.close();
    }
  }

  /** What is published besides the body. */
  @State(Scope.Benchmark)
  public static class Message {
    /** {@code none}: {@code null} properties; {@code app}: {@link #APP_PROPERTIES}. */
    @Param({"none", "app"})
    public String props;

    AMQP.BasicProperties properties;

    @Setup
    public void setUp() {
      properties = props.equals("app") ? APP_PROPERTIES : null;
    }
  }

  static Channel publish(Channel channel, AMQP.BasicProperties props) throws IOException {
    try (var ignored = Fixtures.SENDING_CONTEXT.makeCurrent()) {
      channel.basicPublish("orders", "order.shipped", props, BODY);
    }
    return channel;
  }

  @Benchmark
  public Channel baseline(Plain s, Message m) throws IOException {
    return publish(s.channel, m.properties);
  }

  @Benchmark
  public Channel baton(Traced s, Message m) throws IOException {
    return publish(s.channel, m.properties);
  }
}
