package dev.baton.it.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.baton.amqp.AmqpTracing;
import dev.baton.grpc.GrpcTracing;
import dev.baton.it.KafkaBroker;
import dev.baton.it.KafkaBrokerExtension;
import dev.baton.it.RabbitBroker;
import dev.baton.it.RabbitBrokerExtension;
import dev.baton.kafka.KafkaTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keeps {@code docs/spans-and-attributes.md} true: reads its span tables, makes every kind of
 * span Baton makes (Kafka send, poll, process; RabbitMQ publish, process by consumer and by
 * {@code process()}, get, ack, nack, reject; gRPC client, server, unknown method) on real
 * brokers, and checks both ways: every span has exactly one row (by instrumentation scope, kind
 * and name), carries its row's "always" attributes and nothing its row does not list, and has
 * only listed events; and every row was matched by a span.
 */
@ExtendWith({KafkaBrokerExtension.class, RabbitBrokerExtension.class})
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SpanCatalogIT {

  private static final Path DOC = Path.of("..", "docs", "spans-and-attributes.md");
  private static final Pattern MARKER = Pattern.compile("^<!-- spans: (\\S+) -->$");
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern ATTRIBUTE_KEY = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z0-9_<>]+)+");
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** One table row of the document. */
  record Row(String scope, List<Pattern> names, String nameCell, SpanKind kind,
      Set<String> always, Set<String> when, Set<String> events) {

    boolean matches(SpanData span) {
      return span.getInstrumentationScopeInfo().getName().equals(scope)
          && span.getKind() == kind
          && names.stream().anyMatch(name -> name.matcher(span.getName()).matches());
    }

    boolean allows(String key) {
      if (always.contains(key) || when.contains(key)) {
        return true;
      }
      for (String listed : when) {
        if (listed.endsWith(".<key>")
            && key.startsWith(listed.substring(0, listed.length() - "<key>".length()))) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String toString() {
      return scope + " " + kind + " " + nameCell;
    }
  }

  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private final InMemoryTelemetry spans =
      InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());

  @Test
  void everySpanBatonMakesIsInTheDocumentAsItIs(KafkaBroker kafka, RabbitBroker rabbit)
      throws Exception {
    List<Row> rows = rows();
    assertThat(rows).extracting(Row::scope).containsOnly("dev.baton.kafka", "dev.baton.amqp", "dev.baton.grpc");
    assertThat(rows).hasSize(10);

    List<SpanData> all;
    try {
      kafkaSpans(kafka);
      amqpSpans(rabbit);
      grpcSpans();
      // 3 Kafka + 10 RabbitMQ + 4 gRPC
      await().atMost(WAIT).until(() -> spans.spans().size() >= 17);
      all = spans.spans();
    } finally {
      spans.close(); // the in-memory exporter forgets its spans here
    }

    Map<Row, Integer> matched = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (SpanData span : all) {
      List<Row> candidates = rows.stream().filter(row -> row.matches(span)).toList();
      String what = span.getInstrumentationScopeInfo().getName() + " " + span.getKind() + " '"
          + span.getName() + "'";
      if (candidates.size() != 1) {
        problems.add(what + " matches " + candidates.size() + " rows: " + candidates);
        continue;
      }
      Row row = candidates.get(0);
      matched.merge(row, 1, Integer::sum);
      Set<String> keys = span.getAttributes().asMap().keySet().stream()
          .map(key -> key.getKey())
          .collect(Collectors.toCollection(LinkedHashSet::new));
      for (String key : row.always()) {
        if (!keys.contains(key)) {
          problems.add(what + " lacks '" + key + "', listed as always there");
        }
      }
      for (String key : keys) {
        if (!row.allows(key)) {
          problems.add(what + " carries '" + key + "', which its row does not list");
        }
      }
      for (EventData event : span.getEvents()) {
        if (!row.events().contains(event.getName())) {
          problems.add(what + " has the event '" + event.getName() + "', which its row does not list");
        }
      }
    }
    for (Row row : rows) {
      if (!matched.containsKey(row)) {
        problems.add("no span matched the row " + row);
      }
    }
    assertThat(problems).as("differences between %s and the spans (%d spans)", DOC, all.size())
        .isEmpty();
  }

  /** Parses every table that follows a {@code <!-- spans: scope -->} marker. */
  static List<Row> rows() throws IOException {
    List<Row> rows = new ArrayList<>();
    String scope = null;
    int lineInTable = 0;
    for (String line : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
      Matcher marker = MARKER.matcher(line);
      if (marker.matches()) {
        scope = marker.group(1);
        lineInTable = 0;
        continue;
      }
      if (scope == null) {
        continue;
      }
      if (!line.startsWith("|")) {
        if (lineInTable > 0) {
          scope = null;
        }
        continue;
      }
      lineInTable++;
      if (lineInTable <= 2) {
        continue; // header and separator
      }
      String[] cells = line.substring(1, line.length() - 1).split("\\|", -1);
      assertThat(cells).as("cells of %s", line).hasSize(7);
      List<Pattern> names = codes(cells[0]).stream().map(SpanCatalogIT::namePattern).toList();
      rows.add(new Row(scope, names, cells[0].strip(), SpanKind.valueOf(cells[1].strip()),
          keys(cells[4]), keys(cells[5]), new LinkedHashSet<>(codes(cells[6]))));
    }
    return rows;
  }

  private static List<String> codes(String cell) {
    List<String> codes = new ArrayList<>();
    Matcher m = CODE.matcher(cell);
    while (m.find()) {
      codes.add(m.group(1));
    }
    return codes;
  }

  /** The attribute keys of a cell: the backticked words shaped like one. */
  private static Set<String> keys(String cell) {
    return codes(cell).stream()
        .filter(code -> ATTRIBUTE_KEY.matcher(code).matches())
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /** {@code send {topic}}: literal text, each {@code {placeholder}} standing for any text. */
  static Pattern namePattern(String template) {
    StringBuilder regex = new StringBuilder();
    Matcher placeholder = Pattern.compile("\\{[^}]+}").matcher(template);
    int last = 0;
    while (placeholder.find()) {
      regex.append(Pattern.quote(template.substring(last, placeholder.start()))).append(".+");
      last = placeholder.end();
    }
    regex.append(Pattern.quote(template.substring(last)));
    return Pattern.compile(regex.toString());
  }

  // ---- the spans

  /** send (with the broker's answer), poll (receive spans on) and process (after the interceptor). */
  private void kafkaSpans(KafkaBroker kafka) throws Exception {
    String topic = "doc-spans-" + id;
    kafka.createTopic(topic, 1);
    KafkaTracing tracing = KafkaTracing.builder(spans.openTelemetry()).receiveSpans(true).build();
    Map<String, Object> producerConfig = new HashMap<>(tracing.producerProperties());
    producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "doc-producer");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
    }
    Map<String, Object> consumerConfig = new HashMap<>(tracing.consumerProperties());
    consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "doc-" + id);
    consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(List.of(new TopicPartition(topic, 0)));
      List<ConsumerRecord<String, String>> received = new ArrayList<>();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (received.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(received::add);
      }
      assertThat(received).hasSize(1);
      tracing.process(received.get(0), record -> { });
    }
  }

  /**
   * Three publishes; a get processed with {@code process()} and acked; a get rejected; a consumed
   * delivery nacked inside its callback.
   */
  private void amqpSpans(RabbitBroker rabbit) throws Exception {
    String queue = "baton-doc-spans-" + id;
    AmqpTracing tracing = AmqpTracing.builder(spans.openTelemetry()).settleSpans(true).build();
    try (Connection connection = tracing.wrap(rabbit.connectionFactory().newConnection("baton-it-doc"))) {
      Channel channel = connection.createChannel();
      channel.queueDeclare(queue, false, false, false, null);
      try {
        for (int i = 1; i <= 3; i++) {
          AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
              .messageId("m-" + i).correlationId("c-" + i).build();
          channel.basicPublish("", queue, props, ("message " + i).getBytes(StandardCharsets.UTF_8));
        }
        GetResponse first = awaitGet(channel, queue);
        tracing.process(first, response -> { });
        channel.basicAck(first.getEnvelope().getDeliveryTag(), false);
        GetResponse second = awaitGet(channel, queue);
        channel.basicReject(second.getEnvelope().getDeliveryTag(), false);
        CountDownLatch nacked = new CountDownLatch(1);
        channel.basicConsume(queue, false, (tag, delivery) -> {
          channel.basicNack(delivery.getEnvelope().getDeliveryTag(), false, false);
          nacked.countDown();
        }, tag -> { });
        assertThat(nacked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      } finally {
        channel.queueDelete(queue);
      }
    }
  }

  private static GetResponse awaitGet(Channel channel, String queue) throws IOException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      GetResponse response = channel.basicGet(queue, false);
      if (response != null) {
        return response;
      }
    }
    throw new AssertionError("no message in " + queue);
  }

  /** A unary call (client and server span) and a call to a method the server does not have. */
  private void grpcSpans() throws Exception {
    GrpcTracing tracing = GrpcTracing.create(spans.openTelemetry());
    SimpleServiceGrpc.SimpleServiceImplBase service = new SimpleServiceGrpc.SimpleServiceImplBase() {
      @Override
      public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
        responses.onNext(SimpleResponse.newBuilder().setResponseMessage("ok").build());
        responses.onCompleted();
      }
    };
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(service, tracing.serverInterceptor()))
        .addStreamTracerFactory(tracing.serverStreamTracerFactory())
        .build()
        .start();
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
        .usePlaintext()
        .intercept(tracing.clientInterceptor())
        .build();
    try {
      SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .unaryRpc(SimpleRequest.newBuilder().setRequestMessage("doc").build());
      MethodDescriptor<SimpleRequest, SimpleResponse> unknown =
          MethodDescriptor.<SimpleRequest, SimpleResponse>newBuilder()
              .setType(MethodDescriptor.MethodType.UNARY)
              .setFullMethodName("grpc.testing.SimpleService/NoSuchMethod")
              .setRequestMarshaller(ProtoUtils.marshaller(SimpleRequest.getDefaultInstance()))
              .setResponseMarshaller(ProtoUtils.marshaller(SimpleResponse.getDefaultInstance()))
              .build();
      assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, unknown,
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), SimpleRequest.getDefaultInstance()))
          .isInstanceOf(StatusRuntimeException.class)
          .hasMessageStartingWith("UNIMPLEMENTED");
      await().atMost(WAIT).until(() -> spans.spans("grpc", SpanKind.SERVER).size() == 1);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
