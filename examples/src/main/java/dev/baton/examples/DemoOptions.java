package dev.baton.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's command line. Options may come as one argument with spaces, as Maven passes
 * {@code -Ddemo.args="--fail --details"}; {@code --name value} and {@code --name=value} both work.
 */
final class DemoOptions {

  static final String USAGE = """
      usage: CheckoutDemo [options]     (through Maven: -Ddemo.args="options")
        --fail              inventory fails the order: the error and the failure, in one trace
        --details           the key attributes of each span under its row
        --html DIR          where to write the trace's web page (default target/checkout-demo)
        --kafka SERVERS     Kafka bootstrap servers (default $BATON_KAFKA_BOOTSTRAP, else an embedded broker)
        --amqp URI          AMQP broker (default $BATON_AMQP_URI, else RabbitMQ on 127.0.0.1:5672 if it
                            answers, else an embedded Qpid broker; "embedded" forces that)
        --topic NAME        the orders topic (default orders)
        --queue NAME        the notifications exchange and queue (default notifications)
        --help              this text
      OTEL_* variables configure the SDKs' export, e.g. OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318""";

  boolean fail;
  boolean details;
  boolean help;
  Path htmlDir = Path.of("target", "checkout-demo");
  String kafka;
  String amqp;
  String topic = "orders";
  String queue = "notifications";

  static DemoOptions parse(String... args) throws DemoFailure {
    List<String> words = new ArrayList<>();
    for (String arg : args) {
      for (String word : arg.trim().split("\\s+")) {
        if (!word.isEmpty()) {
          words.add(word);
        }
      }
    }
    DemoOptions o = new DemoOptions();
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      String name = word;
      String value = null;
      int eq = word.indexOf('=');
      if (word.startsWith("--") && eq > 0) {
        name = word.substring(0, eq);
        value = word.substring(eq + 1);
      }
      switch (name) {
        case "--fail" -> o.fail = true;
        case "--details" -> o.details = true;
        case "--help", "-h" -> o.help = true;
        case "--html", "--kafka", "--amqp", "--topic", "--queue" -> {
          if (value == null) {
            if (i + 1 >= words.size() || words.get(i + 1).startsWith("--")) {
              throw new DemoFailure(name + " needs a value\n" + USAGE);
            }
            value = words.get(++i);
          }
          switch (name) {
            case "--html" -> o.htmlDir = Path.of(value);
            case "--kafka" -> o.kafka = value;
            case "--amqp" -> o.amqp = value;
            case "--topic" -> o.topic = value;
            default -> o.queue = value;
          }
        }
        default -> throw new DemoFailure("unknown option " + word + "\n" + USAGE);
      }
    }
    return o;
  }
}
