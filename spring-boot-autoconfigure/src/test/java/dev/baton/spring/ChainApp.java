package dev.baton.spring;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.config.DirectRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;

/**
 * A Spring Boot application with no Baton code: a {@code @KafkaListener} that forwards each order
 * to RabbitMQ with {@code RabbitTemplate}, {@code @RabbitListener}s on a simple and a direct
 * container, and a batch {@code @KafkaListener}. Its names come from {@code test.*} properties.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class ChainApp {

  @Bean
  NewTopic ordersTopic(@Value("${test.topic}") String topic) {
    return new NewTopic(topic, 1, (short) 1);
  }

  @Bean
  NewTopic batchTopic(@Value("${test.batch-topic}") String topic) {
    return new NewTopic(topic, 1, (short) 1);
  }

  @Bean
  Queue notifications(@Value("${test.queue}") String queue) {
    return new Queue(queue, false, false, true);
  }

  @Bean
  Queue directNotifications(@Value("${test.direct-queue}") String queue) {
    return new Queue(queue, false, false, true);
  }

  /** One attempt per record: a failing record is logged and skipped, not retried. */
  @Bean
  CommonErrorHandler kafkaErrorHandler() {
    return new DefaultErrorHandler(new FixedBackOff(0L, 0L));
  }

  @Bean
  DirectRabbitListenerContainerFactory directFactory(ConnectionFactory connectionFactory) {
    DirectRabbitListenerContainerFactory factory = new DirectRabbitListenerContainerFactory();
    factory.setConnectionFactory(connectionFactory);
    factory.setDefaultRequeueRejected(false);
    return factory;
  }

  @Bean
  Listeners listeners(RabbitTemplate rabbit, @Value("${test.queue}") String queue) {
    return new Listeners(rabbit, queue);
  }

  static final class Listeners {
    final BlockingQueue<ConsumerRecord<String, String>> orders = new LinkedBlockingQueue<>();
    final BlockingQueue<List<String>> batches = new LinkedBlockingQueue<>();
    final BlockingQueue<Message> notifications = new LinkedBlockingQueue<>();
    final BlockingQueue<Message> direct = new LinkedBlockingQueue<>();
    private final RabbitTemplate rabbit;
    private final String queue;

    Listeners(RabbitTemplate rabbit, String queue) {
      this.rabbit = rabbit;
      this.queue = queue;
    }

    @KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
    void onOrder(ConsumerRecord<String, String> record) {
      orders.add(record);
      if (record.value().startsWith("bad")) {
        throw new IllegalStateException("cannot take " + record.value());
      }
      rabbit.convertAndSend("", queue, "notify " + record.value());
    }

    @KafkaListener(
        id = "batch",
        topics = "${test.batch-topic}",
        groupId = "${test.group}-batch",
        batch = "true",
        autoStartup = "false")
    void onBatch(List<String> values) {
      batches.add(values);
    }

    @RabbitListener(queues = "${test.queue}")
    void onNotification(Message message) {
      notifications.add(message);
      if (new String(message.getBody()).startsWith("notify bad")) {
        throw new IllegalArgumentException("cannot notify");
      }
    }

    @RabbitListener(queues = "${test.direct-queue}", containerFactory = "directFactory")
    void onDirect(Message message) {
      direct.add(message);
    }
  }
}
