package dev.baton.amqp;

import com.rabbitmq.client.GetResponse;

/**
 * A {@code basicGet} result as a traced channel returns it: the same envelope, properties, body
 * and message count, plus the queue it came from, which the response itself does not say, so that
 * {@link AmqpTracing#process} can name its span {@code process {queue}}.
 */
final class TracedGetResponse extends GetResponse {

  final String queue;
  final ServerEndpoint endpoint;

  TracedGetResponse(GetResponse response, String queue, ServerEndpoint endpoint) {
    super(
        response.getEnvelope(),
        response.getProps(),
        response.getBody(),
        response.getMessageCount());
    this.queue = queue;
    this.endpoint = endpoint;
  }
}
