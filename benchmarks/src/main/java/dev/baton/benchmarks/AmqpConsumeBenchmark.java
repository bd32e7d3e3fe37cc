package dev.baton.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.baton.amqp.AmqpTracing;
import java.io.IOException;
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
 * One delivery handed to a consumer registered with {@code basicConsume} on a channel wrapped by
 * {@link AmqpTracing}, over a {@link FakeChannel}: the CONSUMER {@code process orders} span,
 * child of the message's {@code traceparent}, current while the application's callback runs.
 * The message carries what a broker delivers: the trace headers as {@code LongString}s beside
 * three application headers, a content type and a message id. Baton only (OpenTelemetry has no
 * RabbitMQ library instrumentation). {@code baseline} calls the application's consumer directly.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AmqpConsumeBenchmark {

  static final Envelope ENVELOPE = new Envelope(42L, false, "orders", "order.shipped");
  static final AMQP.BasicProperties DELIVERED;

  static {
    Map<String, Object> headers = new LinkedHashMap<>();
    for (String[] h : Fixtures.APP_HEADERS) {
      headers.put(h[0], LongStringHelper.asLongString(h[1]));
    }
    headers.put("traceparent", LongStringHelper.asLongString(Fixtures.TRACEPARENT));
    headers.put("tracestate", LongStringHelper.asLongString(Fixtures.TRACESTATE));
    DELIVERED =
        new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .messageId("9d2c5a4e-6b1f-4c1e-9a55-0f3b9d2a7c11")
            .headers(headers)
            .build();
  }

  /** The application's callback: reads one header, as code that uses the message would. */
  static final class Application extends DefaultConsumer {
    long seen;

    Application() {
      super(null);
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      Object type = properties.getHeaders().get("content-type");
      seen += type instanceof LongString ? 1 : 2;
    }
  }

  /** A consumer registered through Baton's channel; {@code delivered} is what the broker calls. */
  @State(Scope.Thread)
  public static class Subscribed {
    @Param({"SDK", "PROPAGATION"})
    public Telemetry.Mode otel;

    Telemetry telemetry;
    final Application application = new Application();
    Consumer delivered;

    @Setup
    public void setUp() throws IOException {
      telemetry = Telemetry.create(otel);
      FakeChannel fake = FakeChannel.create();
      Channel channel = AmqpTracing.create(telemetry.openTelemetry()).wrap(fake.channel());
      channel.basicConsume("orders", true, application);
      delivered = fake.consumer;
    }

    @TearDown
    public void tearDown() {
      telemetry.close();
    }
  }

  /** The bare application consumer. */
  @State(Scope.Thread)
  public static class Plain {
    final Application application = new Application();
  }

  @Benchmark
  public long baseline(Plain s) throws IOException {
    s.application.handleDelivery("ctag-1", ENVELOPE, DELIVERED, AmqpPublishBenchmark.BODY);
    return s.application.seen;
  }

  @Benchmark
  public long baton(Subscribed s) throws IOException {
    s.delivered.handleDelivery("ctag-1", ENVELOPE, DELIVERED, AmqpPublishBenchmark.BODY);
    return s.application.seen;
  }
}
