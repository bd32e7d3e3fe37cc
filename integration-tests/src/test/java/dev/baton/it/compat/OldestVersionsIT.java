package dev.baton.it.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.baton.amqp.AmqpTracing;
import dev.baton.core.BatonTracing;
import dev.baton.core.internal.ConfigReader;
import dev.baton.grpc.GrpcTracing;
import dev.baton.it.KafkaBroker;
import dev.baton.it.KafkaBrokerExtension;
import dev.baton.it.KafkaClientsVersion;
import dev.baton.it.RabbitBroker;
import dev.baton.it.RabbitBrokerExtension;
import dev.baton.kafka.KafkaTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One hop per transport, and the global OpenTelemetry lookup, on whatever versions of
 * opentelemetry-api, kafka-clients, amqp-client and grpc-java are on the class path. The
 * {@code oldest-supported} failsafe execution runs it on the oldest versions Baton supports (see
 * {@code bom/README.md}); the default execution on the managed ones. Each execution states the
 * versions it expects, and the first test checks that they are the ones loaded.
 */
@ExtendWith({KafkaBrokerExtension.class, RabbitBrokerExtension.class})
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OldestVersionsIT {

  /** kafka-clients 4.1 added the acknowledgement that lets the send span wait for the broker. */
  static final boolean ENDS_ON_ACK = KafkaClientsVersion.atLeast(4, 1);

  final InMemoryTelemetry spans =
      InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());

  @BeforeEach
  void noGlobal() throws Exception {
    GlobalOpenTelemetry.resetForTest();
    resetBatonsOncePerJvmWarnings();
  }

  @AfterEach
  void tearDown() throws Exception {
    GlobalOpenTelemetry.resetForTest();
    resetBatonsOncePerJvmWarnings();
    assertThat(Context.current()).as("no scope leaked on the test thread").isSameAs(Context.root());
  }

  /** Test-only: core's warnings are once per JVM; each test here starts as a fresh JVM would. */
  static void resetBatonsOncePerJvmWarnings() throws Exception {
    Method reset = Class.forName("dev.baton.core.internal.GlobalTelemetry").getDeclaredMethod("resetWarnings");
    reset.setAccessible(true);
    reset.invoke(null);
  }

  /** The version in the name of the jar {@code type} was loaded from, e.g. 1.40.0. */
  static String jarVersion(Class<?> type, String artifactId) {
    String jar = type.getProtectionDomain().getCodeSource().getLocation().getPath();
    Matcher m = Pattern.compile(Pattern.quote(artifactId) + "-([0-9][^/]*)\\.jar$").matcher(jar);
    assertThat(m.find()).as("%s comes from a %s jar: %s", type.getName(), artifactId, jar).isTrue();
    return m.group(1);
  }

  static String openTelemetryApiVersion() {
    return jarVersion(OpenTelemetry.class, "opentelemetry-api");
  }

  /** opentelemetry-api 1.57.0 added GlobalOpenTelemetry.isSet(). */
  static boolean apiHasIsSet() {
    String[] v = openTelemetryApiVersion().split("[.-]");
    int major = Integer.parseInt(v[0]);
    int minor = Integer.parseInt(v[1]);
    return major > 1 || (major == 1 && minor >= 57);
  }

  @Test
  void theExpectedVersionsAreTheOnesLoaded() {
    Map<String, String> loaded = Map.of(
        "opentelemetry", openTelemetryApiVersion(),
        "kafka-clients", KafkaClientsVersion.current(),
        "amqp-client", jarVersion(Channel.class, "amqp-client"),
        "grpc", jarVersion(ManagedChannel.class, "grpc-api"));
    System.out.println("OldestVersionsIT runs on " + loaded);
    for (Map.Entry<String, String> e : loaded.entrySet()) {
      String expected = System.getProperty("baton.expected." + e.getKey() + ".version");
      assertThat(expected).as("the execution names the %s version it expects", e.getKey()).isNotBlank();
      assertThat(e.getValue()).as(e.getKey()).isEqualTo(expected);
    }
    assertThat(jarVersion(Context.class, "opentelemetry-context")).isEqualTo(openTelemetryApiVersion());
    assertThat(jarVersion(io.opentelemetry.sdk.OpenTelemetrySdk.class, "opentelemetry-sdk"))
        .isEqualTo(openTelemetryApiVersion());
  }

  @Test
  void kafkaRecordContinuesTheTraceThroughTheBroker(KafkaBroker kafka) throws Exception {
    String topic = "compat-" + UUID.randomUUID();
    kafka.createTopic(topic, 1);
    KafkaTracing tracing = KafkaTracing.builder(spans.openTelemetry()).processSpans(true).build();
    Map<String, Object> producerConfig = new java.util.HashMap<>(tracing.producerProperties());
    producerConfig.put("bootstrap.servers", kafka.bootstrapServers());
    producerConfig.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class);
    producerConfig.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class);
    Map<String, Object> consumerConfig = new java.util.HashMap<>(tracing.consumerProperties());
    consumerConfig.put("bootstrap.servers", kafka.bootstrapServers());
    consumerConfig.put("group.id", "compat-" + UUID.randomUUID());
    consumerConfig.put("auto.offset.reset", "earliest");
    consumerConfig.put("key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class);
    consumerConfig.put("value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class);

    String seenTrace = null;
    Span checkout = spans.openTelemetry().getTracer("it").spanBuilder("checkout").startSpan();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig);
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
      // the wrappers have exactly this kafka-clients' methods (frameworks reflect)
      assertThat(tracing.wrap(consumer).getClass().getMethods()).isNotEmpty();
      assertThat(tracing.wrap(producer).getClass().getMethods()).isNotEmpty();
      try (Scope ignored = checkout.makeCurrent()) {
        producer.send(new ProducerRecord<>(topic, "order-1", "placed")).get(30, TimeUnit.SECONDS);
      } finally {
        checkout.end();
      }
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (seenTrace == null && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          seenTrace = Span.current().getSpanContext().getTraceId();
        }
      }
    }

    SpanData send = spans.awaitSpan("send " + topic, SpanKind.PRODUCER);
    SpanData process = spans.awaitSpan("process " + topic, SpanKind.CONSUMER);
    assertThat(send.getParentSpanId()).isEqualTo(checkout.getSpanContext().getSpanId());
    assertThat(process.getParentSpanId()).isEqualTo(send.getSpanId());
    assertThat(seenTrace).isEqualTo(checkout.getSpanContext().getTraceId());
    assertThat(send.getAttributes().get(dev.baton.core.internal.SemConv.MESSAGING_KAFKA_OFFSET) != null)
        .as("the send span carries the offset exactly when it ends on the broker's answer")
        .isEqualTo(ENDS_ON_ACK);
  }

  @Test
  void rabbitMessageContinuesTheTraceThroughTheBroker(RabbitBroker rabbit) throws Exception {
    String queue = "baton-it-compat-" + UUID.randomUUID();
    AmqpTracing tracing = AmqpTracing.create(spans.openTelemetry());
    Span checkout = spans.openTelemetry().getTracer("it").spanBuilder("checkout").startSpan();
    CompletableFuture<String> seen = new CompletableFuture<>();
    try (Connection connection = rabbit.connectionFactory().newConnection("baton-it-compat")) {
      Channel channel = tracing.wrap(connection.createChannel());
      // every type the decorators' methods name exists in this amqp-client (frameworks reflect)
      assertThat(channel.getClass().getMethods()).isNotEmpty();
      assertThat(tracing.wrap(connection).getClass().getMethods()).isNotEmpty();
      channel.queueDeclare(queue, false, false, false, null); // named after it: not auto-delete
      channel.basicConsume(queue, true, new DefaultConsumer(channel) {
        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
          seen.complete(Span.current().getSpanContext().getTraceId());
        }
      });
      try (Scope ignored = checkout.makeCurrent()) {
        channel.basicPublish("", queue, null, "order 1".getBytes(StandardCharsets.UTF_8));
      } finally {
        checkout.end();
      }
      assertThat(seen.get(30, TimeUnit.SECONDS)).isEqualTo(checkout.getSpanContext().getTraceId());
      channel.queueDelete(queue);
    }
    SpanData publish = spans.awaitSpan("publish amq.default", SpanKind.PRODUCER);
    SpanData process = spans.awaitSpans("process " + queue, SpanKind.CONSUMER, 1, Duration.ofSeconds(30)).get(0);
    assertThat(publish.getParentSpanId()).isEqualTo(checkout.getSpanContext().getSpanId());
    assertThat(process.getParentSpanId()).isEqualTo(publish.getSpanId());
  }

  /** {@code compat.Greeter/Hello}: a string in, a string out, without protobuf. */
  static final MethodDescriptor<String, String> HELLO =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("compat.Greeter/Hello")
          .setRequestMarshaller(Utf8.INSTANCE)
          .setResponseMarshaller(Utf8.INSTANCE)
          .build();

  @Test
  void grpcCallContinuesTheTrace() throws Exception {
    GrpcTracing tracing = GrpcTracing.create(spans.openTelemetry());
    String name = "compat-" + UUID.randomUUID();
    ServerServiceDefinition greeter = ServerServiceDefinition.builder("compat.Greeter")
        .addMethod(HELLO, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(Span.current().getSpanContext().getTraceId());
          response.onCompleted();
        }))
        .build();
    Server server = InProcessServerBuilder.forName(name)
        .addService(ServerInterceptors.intercept(greeter, tracing.serverInterceptor()))
        .build()
        .start();
    ManagedChannel channel =
        InProcessChannelBuilder.forName(name).intercept(tracing.clientInterceptor()).build();
    Span checkout = spans.openTelemetry().getTracer("it").spanBuilder("checkout").startSpan();
    try (Scope ignored = checkout.makeCurrent()) {
      String serverTrace = ClientCalls.blockingUnaryCall(
          channel, HELLO, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hello");
      assertThat(serverTrace).isEqualTo(checkout.getSpanContext().getTraceId());
    } finally {
      checkout.end();
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    SpanData client = spans.awaitSpan("compat.Greeter/Hello", SpanKind.CLIENT);
    SpanData serverSpan = spans.awaitSpan("compat.Greeter/Hello", SpanKind.SERVER);
    assertThat(client.getParentSpanId()).isEqualTo(checkout.getSpanContext().getSpanId());
    assertThat(serverSpan.getParentSpanId()).isEqualTo(client.getSpanId());
  }

  /** Settings without an instance, as every transport's fromConfig and the interceptors make. */
  static BatonTracing followingTheGlobal() {
    return ConfigReader.of(Map.of(), Set.of()).batonTracing();
  }

  static boolean messagePasses(BatonTracing baton) {
    Span span = dev.baton.core.internal.Spans.tracer(baton.resolved(), "dev.baton.it").spanBuilder("process t").startSpan();
    boolean recording = span.isRecording();
    span.end();
    return recording;
  }

  @Test
  void theSdkRegisteredBeforeTheFirstMessageIsFoundOnEveryApiVersion() {
    BatonTracing baton = followingTheGlobal(); // built before the SDK is registered

    GlobalOpenTelemetry.set(spans.openTelemetry());

    assertThat(messagePasses(baton)).isTrue();
  }

  @Test
  void theSdkRegisteredAfterTheFirstMessage() {
    List<String> warnings = new ArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
          warnings.add(record.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger batonLogger = Logger.getLogger("dev.baton");
    batonLogger.addHandler(capture);
    try {
      BatonTracing baton = followingTheGlobal();
      assertThat(messagePasses(baton)).isFalse();

      if (apiHasIsSet()) {
        // 1.57.0+: Baton waited without locking the global instance; the SDK is found now
        GlobalOpenTelemetry.set(spans.openTelemetry());
        assertThat(messagePasses(baton)).isTrue();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("no OpenTelemetry instance is registered");
      } else {
        // older: the first message had to call GlobalOpenTelemetry.get(), which registered a
        // no-op instance for good; Baton said so, and OpenTelemetry refuses the late SDK
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0))
            .contains("is a no-op one")
            .contains("predates GlobalOpenTelemetry.isSet() (1.57.0)");
        assertThatThrownBy(() -> GlobalOpenTelemetry.set(spans.openTelemetry()))
            .isInstanceOf(IllegalStateException.class);
        assertThat(messagePasses(baton)).isFalse();
      }
    } finally {
      batonLogger.removeHandler(capture);
    }
  }

  private enum Utf8 implements MethodDescriptor.Marshaller<String> {
    INSTANCE;

    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
