package dev.baton.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoverableConnection;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.impl.recovery.AutorecoveringConnection;
import dev.baton.amqp.AmqpTracing;
import dev.baton.core.internal.SemConv;
import dev.baton.it.RabbitBroker;
import dev.baton.it.RabbitBrokerExtension;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The broker closes a wrapped, automatically recovering connection under a consumer. After the
 * recovery, consumption resumes — a message published while the connection was down and one
 * published after — and every delivery is still traced: its {@code process} span is a child of
 * its {@code publish} span, in the trace the publisher started.
 */
@ExtendWith(RabbitBrokerExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RabbitConnectionRecoveryIT {

  static final int WAIT_SECONDS = 30;

  final InMemoryTelemetry spans = InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());
  final AmqpTracing tracing = AmqpTracing.create(spans.openTelemetry());

  @AfterEach
  void noLeakedScope() {
    assertThat(Context.current()).as("no scope leaked on the test thread").isSameAs(Context.root());
  }

  @Test
  void consumptionResumesAfterRecoveryAndStaysTraced(RabbitBroker rabbit) throws Exception {
    String queue = "baton-it-recovery-" + UUID.randomUUID();
    String connectionName = "baton-it-recovering-" + UUID.randomUUID();
    ConnectionFactory factory = rabbit.connectionFactory();
    factory.setAutomaticRecoveryEnabled(true);
    factory.setTopologyRecoveryEnabled(true);
    factory.setNetworkRecoveryInterval(500);
    factory.setRequestedHeartbeat(5);

    Connection raw = factory.newConnection(connectionName);
    try (Connection consuming = tracing.wrap(raw);
        Connection publishing = tracing.wrap(rabbit.connectionFactory().newConnection("baton-it-publisher"))) {
      assertThat(consuming).isInstanceOf(RecoverableConnection.class);
      Channel publisher = publishing.createChannel();
      // survives the consumer's connection, so what is published meanwhile waits in it
      publisher.queueDeclare(queue, false, false, false, null);
      try {
        Channel channel = consuming.createChannel();
        BlockingQueue<String> handled = new LinkedBlockingQueue<>();
        Map<String, String> traceIdInHandler = new ConcurrentHashMap<>();
        channel.basicConsume(queue, false, (tag, delivery) -> {
          String id = delivery.getProperties().getMessageId();
          traceIdInHandler.put(id, Span.current().getSpanContext().getTraceId());
          channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
          handled.add(id);
        }, tag -> {});

        Map<String, Span> roots = new HashMap<>();
        publish(publisher, queue, "before", roots);
        assertThat(handled.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("before");

        CountDownLatch recovered = new CountDownLatch(1);
        ((Recoverable) consuming).addRecoveryListener(new RecoveryListener() {
          @Override
          public void handleRecovery(Recoverable recoverable) {
            recovered.countDown();
          }

          @Override
          public void handleRecoveryStarted(Recoverable recoverable) {}
        });
        String how = closeFromTheBroker(raw, connectionName);
        System.out.println("RabbitConnectionRecoveryIT: connection closed by " + how);
        publish(publisher, queue, "during", roots);
        assertThat(recovered.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("recovered after " + how).isTrue();
        publish(publisher, queue, "after", roots);

        List<String> afterRecovery = new ArrayList<>();
        while (afterRecovery.size() < 2) {
          String id = handled.poll(WAIT_SECONDS, TimeUnit.SECONDS);
          assertThat(id).as("deliveries after %s, got %s", how, afterRecovery).isNotNull();
          if (!id.equals("before")) { // "before" may be redelivered if its ack was cut off
            afterRecovery.add(id);
          }
        }
        assertThat(afterRecovery).containsExactlyInAnyOrder("during", "after");

        for (String id : List.of("before", "during", "after")) {
          Span root = roots.get(id);
          String traceId = root.getSpanContext().getTraceId();
          SpanData publish = only(spans.spans("publish amq.default", SpanKind.PRODUCER), id);
          assertThat(publish.getTraceId()).as(id).isEqualTo(traceId);
          assertThat(publish.getParentSpanId()).as(id).isEqualTo(root.getSpanContext().getSpanId());
          List<SpanData> processes = awaitProcess(queue, id);
          for (SpanData process : processes) {
            assertThat(process.getTraceId()).as(id).isEqualTo(traceId);
            assertThat(process.getParentSpanId()).as(id).isEqualTo(publish.getSpanId());
            assertThat(process.getParentSpanContext().isRemote()).as(id).isTrue();
          }
          assertThat(traceIdInHandler.get(id)).as("trace current in the handler of %s", id).isEqualTo(traceId);
        }
      } finally {
        publisher.queueDelete(queue);
      }
    }
  }

  void publish(Channel channel, String queue, String id, Map<String, Span> roots) throws IOException {
    Span root = spans.openTelemetry().getTracer("it").spanBuilder("publish-" + id).startSpan();
    try (Scope ignored = root.makeCurrent()) {
      channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().messageId(id).build(),
          id.getBytes(StandardCharsets.UTF_8));
    } finally {
      root.end();
    }
    roots.put(id, root);
  }

  List<SpanData> awaitProcess(String queue, String id) {
    org.awaitility.Awaitility.await().atMost(WAIT_SECONDS, TimeUnit.SECONDS)
        .until(() -> !withId(spans.spans("process " + queue, SpanKind.CONSUMER), id).isEmpty());
    return withId(spans.spans("process " + queue, SpanKind.CONSUMER), id);
  }

  static SpanData only(List<SpanData> candidates, String id) {
    List<SpanData> found = withId(candidates, id);
    assertThat(found).as("spans of message %s", id).hasSize(1);
    return found.get(0);
  }

  static List<SpanData> withId(List<SpanData> candidates, String id) {
    List<SpanData> out = new ArrayList<>();
    for (SpanData s : candidates) {
      if (id.equals(s.getAttributes().get(SemConv.MESSAGING_MESSAGE_ID))) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * Has the broker close the connection named {@code name}, as an operator would with
   * {@code rabbitmqctl close_connection}. Where rabbitmqctl cannot do it (not installed, a remote
   * {@code BATON_AMQP_URI}), the client's socket is closed instead: a network failure, which
   * starts the same recovery. Returns which of the two happened.
   */
  static String closeFromTheBroker(Connection connection, String name) throws IOException {
    String listed = rabbitmqctl("list_connections", "--no-table-headers", "pid", "client_properties");
    if (listed != null) {
      for (String line : listed.split("\n")) {
        if (line.contains("\"" + name + "\"")) {
          String pid = line.substring(0, line.indexOf('\t')).trim();
          if (rabbitmqctl("close_connection", pid, "baton integration test") != null) {
            return "rabbitmqctl close_connection";
          }
        }
      }
    }
    ((AutorecoveringConnection) connection).getDelegate().getFrameHandler().close();
    return "a closed client socket";
  }

  /** Runs {@code rabbitmqctl -q args} for at most 20 s; its output, or null when it failed. */
  static String rabbitmqctl(String... args) {
    List<String> command = new ArrayList<>(List.of("rabbitmqctl", "-q"));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (InputStream in = p.getInputStream()) {
        Thread reader = new Thread(() -> {
          try {
            in.transferTo(out);
          } catch (IOException ignored) {
            // the process went away; what was read is enough
          }
        }, "rabbitmqctl-output");
        reader.start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return null;
        }
        reader.join(5_000);
      }
      return p.exitValue() == 0 ? out.toString(StandardCharsets.UTF_8) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
