package dev.baton.it.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.baton.it.RabbitBroker;
import dev.baton.it.RabbitBrokerExtension;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The RabbitMQ fixture hands out a broker that takes and returns a message. */
@ExtendWith(RabbitBrokerExtension.class)
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class RabbitBrokerSmokeIT {

  @Test
  void publishesAndGetsOneMessage(RabbitBroker rabbit) throws Exception {
    try (Connection connection = rabbit.connectionFactory().newConnection("baton-it-smoke");
        Channel channel = connection.createChannel()) {
      String queue = channel.queueDeclare().getQueue(); // server-named, exclusive, auto-delete

      channel.basicPublish("", queue, null, "hello".getBytes(UTF_8));

      GetResponse received = await().atMost(Duration.ofSeconds(10))
          .until(() -> channel.basicGet(queue, true), Objects::nonNull);
      assertThat(new String(received.getBody(), UTF_8)).isEqualTo("hello");
    }
  }
}
