package dev.baton.examples;

import dev.baton.testing.EmbeddedKafkaBroker;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The demo's brokers on their own, for your own experiments: the same in-process KRaft Kafka
 * broker on 127.0.0.1:9092 and, when no RabbitMQ answers on 127.0.0.1:5672, the embedded Qpid
 * AMQP 0-9-1 broker there (user {@code guest}/{@code guest}). They run until Ctrl-C, which stops
 * them and deletes their data.
 *
 * <p>{@code mvn -B -q -Pbrokers -pl examples -am verify -DskipTests}, options in
 * {@code -Dbrokers.args="--kafka-port 19092"}; see {@code examples/README.md}.
 *
 * @since 0.1.0
 */
public final class StandaloneBrokers {

  static final String USAGE = """
      usage: StandaloneBrokers [--kafka-port N] [--amqp-port N]   (through Maven: -Dbrokers.args="...")
        --kafka-port N   the Kafka broker's port on 127.0.0.1 (default 9092)
        --amqp-port N    the AMQP broker's port on 127.0.0.1 (default 5672); no AMQP broker is
                         started when RabbitMQ (guest/guest) already answers there""";

  private StandaloneBrokers() {}

  /**
   * Starts the brokers and waits for Ctrl-C; exits non-zero when one cannot start.
   *
   * @param args see {@link #USAGE}
   */
  public static void main(String[] args) throws InterruptedException {
    List<AutoCloseable> brokers = new ArrayList<>();
    int code = start(System.out, brokers, args);
    if (code != 0) {
      System.exit(code);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println();
      System.out.println("== stopping the brokers");
      DemoBrokers.stop(brokers);
      System.out.println("== stopped; their data is deleted");
      stopped.countDown();
    }, "brokers-stop"));
    stopped.await();
  }

  /**
   * Starts the brokers, adding each to {@code started}, and prints how to use them.
   *
   * @return 0 when both run (or RabbitMQ answers), else non-zero; then everything started is
   *     stopped again
   */
  static int start(PrintStream out, List<AutoCloseable> started, String... args) {
    int kafkaPort = 9092;
    int amqpPort = 5672;
    try {
      String[] words = String.join(" ", args).trim().split("\\s+");
      for (int i = 0; i < words.length; i++) {
        switch (words[i]) {
          case "" -> { }
          case "--kafka-port" -> kafkaPort = port(words, ++i);
          case "--amqp-port" -> amqpPort = port(words, ++i);
          default -> throw new DemoFailure("unknown option " + words[i] + "\n" + USAGE);
        }
      }
      out.println("== Baton's demo brokers, for your own experiments");
      int kafka = kafkaPort;
      out.print("   Kafka     starting an embedded KRaft broker on 127.0.0.1:" + kafka + " ");
      started.add(DemoBrokers.startEmbedded("the Kafka broker", out,
          () -> EmbeddedKafkaBroker.start(kafka)));
      String amqpUri = "amqp://guest:guest@127.0.0.1:" + amqpPort;
      String amqpLine;
      if (DemoBrokers.whyNotAnswering(amqpUri) == null) {
        out.println("   RabbitMQ  127.0.0.1:" + amqpPort + " answers (guest): using it, no embedded broker");
        amqpLine = "RabbitMQ";
      } else {
        int amqp = amqpPort;
        out.print("   AMQP      starting an embedded Qpid broker (AMQP 0-9-1) on 127.0.0.1:" + amqp + " ");
        started.add(DemoBrokers.startEmbedded("the AMQP broker", out,
            () -> EmbeddedAmqpBroker.start(amqp)));
        amqpLine = "embedded Qpid";
      }
      out.println();
      out.println("   bootstrap.servers=127.0.0.1:" + kafkaPort);
      out.println("   AMQP URI " + amqpUri + " (" + amqpLine + ")");
      out.println();
      out.println("   the demo against them:");
      out.println("   BATON_KAFKA_BOOTSTRAP=127.0.0.1:" + kafkaPort + " BATON_AMQP_URI=" + amqpUri
          + " mvn -B -q -Pdemo -pl examples -am verify -DskipTests");
      out.println();
      out.println("== running; Ctrl-C stops them");
      return 0;
    } catch (DemoFailure e) {
      out.println();
      out.println("error: " + e.getMessage());
      DemoBrokers.stop(started);
      return e.getMessage().startsWith("unknown option") || e.getMessage().contains("needs a port")
          ? 2 : 1;
    }
  }

  private static int port(String[] words, int i) throws DemoFailure {
    try {
      int port = Integer.parseInt(words[i]);
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
      throw new DemoFailure(words[i - 1] + " needs a port from 1 to 65535\n" + USAGE);
    }
  }
}
