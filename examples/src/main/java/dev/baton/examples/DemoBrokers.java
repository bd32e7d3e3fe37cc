package dev.baton.examples;

import com.rabbitmq.client.ConnectionFactory;
import dev.baton.testing.EmbeddedKafkaBroker;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Finds or starts the demo's brokers, saying what it does as it goes. Kafka: {@code --kafka}, else
 * {@code BATON_KAFKA_BOOTSTRAP}, else an embedded KRaft broker. RabbitMQ: {@code --amqp}, else
 * {@code BATON_AMQP_URI}, else a local RabbitMQ on 127.0.0.1:5672 if it accepts guest/guest, else
 * an embedded Qpid Broker-J ({@code embedded} as the URI forces that). A broker named by the user
 * must answer within 10 s; an embedded one must start within 60 s; otherwise {@link DemoFailure}.
 * Closing stops every broker started here. Thread-safe.
 */
final class DemoBrokers implements AutoCloseable {

  static final String KAFKA_ENV = "BATON_KAFKA_BOOTSTRAP";
  static final String AMQP_ENV = "BATON_AMQP_URI";
  static final String LOCAL_RABBITMQ = "amqp://guest:guest@127.0.0.1:5672";
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final List<AutoCloseable> started = new ArrayList<>();
  private String kafkaBootstrap;
  private String amqpUri;

  private DemoBrokers() {}

  /**
   * @param kafka bootstrap servers from the command line, or null
   * @param amqp an AMQP URI from the command line, or null
   * @param out where progress goes
   */
  static DemoBrokers start(String kafka, String amqp, PrintStream out) throws DemoFailure {
    DemoBrokers brokers = new DemoBrokers();
    try {
      brokers.startKafka(kafka, out);
      brokers.startAmqp(amqp, out);
      return brokers;
    } catch (DemoFailure | RuntimeException | Error e) {
      brokers.close();
      throw e;
    }
  }

  private void startKafka(String option, PrintStream out) throws DemoFailure {
    String external = option != null ? option : env(KAFKA_ENV);
    if (external != null) {
      String source = option != null ? "--kafka" : KAFKA_ENV;
      out.print("   Kafka     " + external + " (" + source + "): ");
      out.flush();
      checkKafkaAnswers(external, source);
      out.println("answers");
      kafkaBootstrap = external;
      return;
    }
    out.print("   Kafka     starting an embedded KRaft broker on 127.0.0.1 ");
    EmbeddedKafkaBroker kafka = startEmbedded("the embedded Kafka broker", out,
        () -> EmbeddedKafkaBroker.start(0));
    started.add(kafka);
    kafkaBootstrap = kafka.bootstrapServers();
  }

  private void startAmqp(String option, PrintStream out) throws DemoFailure {
    String external = option != null ? option : env(AMQP_ENV);
    if (external != null && !external.equals("embedded")) {
      String source = option != null ? "--amqp" : AMQP_ENV;
      out.print("   RabbitMQ  " + redact(external) + " (" + source + "): ");
      out.flush();
      String failure = whyNotAnswering(external);
      if (failure != null) {
        throw new DemoFailure("no AMQP broker answers at " + redact(external) + " (" + source
            + "): " + failure);
      }
      out.println("answers");
      amqpUri = external;
      return;
    }
    if (external == null && whyNotAnswering(LOCAL_RABBITMQ) == null) {
      out.println("   RabbitMQ  127.0.0.1:5672 answers (guest): using it");
      amqpUri = LOCAL_RABBITMQ;
      return;
    }
    out.print("   RabbitMQ  " + (external == null ? "none on 127.0.0.1:5672; " : "")
        + "starting an embedded Qpid broker (AMQP 0-9-1) on 127.0.0.1 ");
    EmbeddedAmqpBroker amqp = startEmbedded("the embedded AMQP broker", out,
        () -> EmbeddedAmqpBroker.start(0));
    started.add(amqp);
    amqpUri = amqp.uri();
  }

  String kafkaBootstrap() {
    return kafkaBootstrap;
  }

  ConnectionFactory amqp() throws DemoFailure {
    return factory(amqpUri, 5_000);
  }

  /** Stops what was started here, newest first. Idempotent. */
  @Override
  public synchronized void close() {
    stop(started);
  }

  /** Stops {@code brokers}, newest first, and empties the list; a failure is printed, not thrown. */
  static void stop(List<AutoCloseable> brokers) {
    for (int i = brokers.size() - 1; i >= 0; i--) {
      try {
        brokers.get(i).close();
      } catch (Exception e) {
        System.err.println("stopping a broker failed: " + e);
      }
    }
    brokers.clear();
  }

  /**
   * Runs {@code start} on a thread of its own, printing a dot a second until it returns; then
   * {@code ready at ... (2.9 s)}. Fails when it throws or takes longer than {@link #START_TIMEOUT}.
   */
  static <T> T startEmbedded(String what, PrintStream out, Callable<T> start) throws DemoFailure {
    long begin = System.nanoTime();
    FutureTask<T> task = new FutureTask<>(start);
    Thread starter = new Thread(task, "broker-start");
    starter.setDaemon(true);
    starter.start();
    ScheduledExecutorService dots = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "broker-start-progress");
      t.setDaemon(true);
      return t;
    });
    dots.scheduleAtFixedRate(() -> {
      out.print('.');
      out.flush();
    }, 1, 1, TimeUnit.SECONDS);
    try {
      T broker = task.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      dots.shutdownNow();
      out.printf(" ready at %s (%.1f s)%n", address(broker), (System.nanoTime() - begin) / 1e9);
      return broker;
    } catch (TimeoutException e) {
      dots.shutdownNow();
      out.println();
      throw new DemoFailure(what + " did not start within " + START_TIMEOUT.toSeconds() + " s");
    } catch (ExecutionException e) {
      dots.shutdownNow();
      out.println();
      Throwable cause = e.getCause();
      throw new DemoFailure(what + " did not start: " + reason(cause), cause);
    } catch (InterruptedException e) {
      dots.shutdownNow();
      Thread.currentThread().interrupt();
      throw new DemoFailure("interrupted while " + what + " was starting", e);
    }
  }

  /** The most telling message in a failure's chain: a port that could not be bound wins. */
  static String reason(Throwable failure) {
    for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && (message.contains("failed to bind") || message.contains("already in use"))) {
        return message;
      }
    }
    return failure.getMessage() != null ? failure.getMessage() : failure.toString();
  }

  private static String address(Object broker) {
    if (broker instanceof EmbeddedKafkaBroker kafka) {
      return kafka.bootstrapServers();
    }
    if (broker instanceof EmbeddedAmqpBroker amqp) {
      return redact(amqp.uri());
    }
    return String.valueOf(broker);
  }

  /** Asks the cluster for its nodes; fails after {@link #ANSWER_TIMEOUT}. */
  static void checkKafkaAnswers(String bootstrap, String source) throws DemoFailure {
    int timeout = (int) ANSWER_TIMEOUT.toMillis();
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout))) {
      admin.describeCluster().nodes().get(timeout, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      throw new DemoFailure("no Kafka broker answers at " + bootstrap + " (" + source + ") within "
          + ANSWER_TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure("interrupted while asking Kafka at " + bootstrap, e);
    }
  }

  /** Opens and closes one connection (1 s timeout): null when it worked, else why not. */
  static String whyNotAnswering(String uri) {
    try {
      ConnectionFactory factory = factory(uri, 1_000);
      factory.setAutomaticRecoveryEnabled(false);
      factory.newConnection("baton-demo-probe").close();
      return null;
    } catch (Exception e) {
      return e.getMessage() != null ? e.getMessage() : e.toString();
    }
  }

  static ConnectionFactory factory(String uri, int connectTimeoutMillis) throws DemoFailure {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(uri);
    } catch (Exception e) {
      throw new DemoFailure("not an AMQP URI: " + redact(uri));
    }
    factory.setConnectionTimeout(connectTimeoutMillis);
    return factory;
  }

  /** The URI without its password. */
  static String redact(String uri) {
    return uri.replaceAll("//([^:@/]*):[^@/]*@", "//$1@");
  }

  private static String env(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? null : value.trim();
  }
}
